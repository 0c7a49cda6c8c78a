// GraphiQL for Customer 360: opens on the saved queries, one tab each, the agent's first
// with a demo caller's phone in its variables. Its settings come from the JSON block
// gateway/graphiql.py writes into the page (no inline script: the CSP allows only 'self').
"use strict";

(function () {
  const settings = JSON.parse(
    document.getElementById("c360-graphiql-settings").textContent,
  );

  // A shared link (?q=...&variables=...) opens in the active tab, as on Strawberry's page.
  const parameters = new URLSearchParams(window.location.search);
  const fetchURL = window.location.href.split("?")[0].split("#")[0];

  function webSocketURL(url) {
    const parsed = new URL(url);
    parsed.protocol = parsed.protocol === "http:" ? "ws:" : "wss:";
    parsed.hash = "";
    return parsed.toString();
  }

  const headers = {};
  const csrfToken = Cookies.get("csrftoken");
  if (csrfToken) {
    headers["x-csrftoken"] = csrfToken;
  }

  const fetcher = GraphiQL.createFetcher({
    url: fetchURL,
    headers: headers,
    subscriptionUrl: webSocketURL(fetchURL),
  });

  const tabs = settings.tabs.map(function (tab) {
    return { query: tab.query, variables: tab.variables };
  });

  // GraphiQL fills the variables editor from storage or the `variables` prop only, never
  // from the first default tab: on a first visit, hand it the first tab's variables.
  function firstVisit() {
    try {
      return !window.localStorage.getItem("graphiql:tabState");
    } catch (error) {
      return true;
    }
  }
  const openWithFirstTab = firstVisit() && tabs.length > 0;

  function CustomerGraphiQL() {
    const props = {
      fetcher: fetcher,
      defaultTabs: tabs,
      defaultQuery: tabs.length ? tabs[0].query : settings.welcome,
      defaultEditorToolsVisibility: true,
      plugins: [GraphiQLPluginExplorer.explorerPlugin()],
      inputValueDeprecation: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
    };
    if (openWithFirstTab) {
      props.variables = tabs[0].variables;
    }
    if (parameters.get("q")) {
      props.query = parameters.get("q");
      props.variables = parameters.get("variables") || undefined;
    }
    return React.createElement(GraphiQL, props);
  }

  const root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(CustomerGraphiQL));
})();
