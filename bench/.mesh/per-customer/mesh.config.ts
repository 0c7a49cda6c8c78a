import { defineConfig } from '@graphql-mesh/compose-cli';
import { loadOpenAPISubgraph } from '@omnigraph/openapi';

export const composeConfig = defineConfig({
  subgraphs: [
    { sourceHandler: loadOpenAPISubgraph("crm", { source: "/work/main/bench/.mesh/per-customer/crm.openapi.json", endpoint: "http://127.0.0.1:42455" }) },
    { sourceHandler: loadOpenAPISubgraph("orders", { source: "/work/main/bench/.mesh/per-customer/orders.openapi.json", endpoint: "http://127.0.0.1:35261" }) },
    { sourceHandler: loadOpenAPISubgraph("billing", { source: "/work/main/bench/.mesh/per-customer/billing.openapi.json", endpoint: "http://127.0.0.1:46341" }) },
    { sourceHandler: loadOpenAPISubgraph("support", { source: "/work/main/bench/.mesh/per-customer/support.openapi.json", endpoint: "http://127.0.0.1:45415" }) },
    { sourceHandler: loadOpenAPISubgraph("web", { source: "/work/main/bench/.mesh/per-customer/web.openapi.json", endpoint: "http://127.0.0.1:32853" }) },
    { sourceHandler: loadOpenAPISubgraph("social", { source: "/work/main/bench/.mesh/per-customer/social.openapi.json", endpoint: "http://127.0.0.1:44589" }) },
    { sourceHandler: loadOpenAPISubgraph("weather", { source: "/work/main/bench/.mesh/per-customer/weather.openapi.json", endpoint: "http://127.0.0.1:43705" }) }
  ],
  additionalTypeDefs: /* GraphQL */ `
extend type Contact {
  orders: [Order] @resolveTo(sourceName: "orders", sourceTypeName: "Query", sourceFieldName: "getOrdersByCustomerEmails", requiredSelectionSet: "{ email }", sourceArgs: { customer_emails: "{root.email}" }, result: "data")
  invoices: [Invoice] @resolveTo(sourceName: "billing", sourceTypeName: "Query", sourceFieldName: "getInvoicesByEmails", requiredSelectionSet: "{ email }", sourceArgs: { bill_to_emails: "{root.email}" }, result: "data")
  tickets: [Ticket] @resolveTo(sourceName: "support", sourceTypeName: "Query", sourceFieldName: "getRequesterTickets", requiredSelectionSet: "{ email }", sourceArgs: { email: "{root.email}" }, result: "data")
  visits: [Visit] @resolveTo(sourceName: "web", sourceTypeName: "Query", sourceFieldName: "getUserVisits", requiredSelectionSet: "{ email }", sourceArgs: { email: "{root.email}" }, result: "data")
  mentions: [Mention] @resolveTo(sourceName: "social", sourceTypeName: "Query", sourceFieldName: "getAuthorMentions", requiredSelectionSet: "{ twitter_handle }", sourceArgs: { handle: "{root.twitter_handle}" }, result: "data")
  weather: Forecast @resolveTo(sourceName: "weather", sourceTypeName: "Query", sourceFieldName: "getCurrentWeather", requiredSelectionSet: "{ latitude longitude }", sourceArgs: { latitude: "{root.latitude}", longitude: "{root.longitude}", current: "temperature_2m,weather_code,wind_speed_10m,relative_humidity_2m" })
}
`,
});
