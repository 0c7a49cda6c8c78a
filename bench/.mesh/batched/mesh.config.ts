import { defineConfig } from '@graphql-mesh/compose-cli';
import { loadOpenAPISubgraph } from '@omnigraph/openapi';

export const composeConfig = defineConfig({
  subgraphs: [
    { sourceHandler: loadOpenAPISubgraph("crm", { source: "/work/main/bench/.mesh/batched/crm.openapi.json", endpoint: "http://127.0.0.1:42455" }) },
    { sourceHandler: loadOpenAPISubgraph("orders", { source: "/work/main/bench/.mesh/batched/orders.openapi.json", endpoint: "http://127.0.0.1:35261" }) },
    { sourceHandler: loadOpenAPISubgraph("billing", { source: "/work/main/bench/.mesh/batched/billing.openapi.json", endpoint: "http://127.0.0.1:46341" }) },
    { sourceHandler: loadOpenAPISubgraph("support", { source: "/work/main/bench/.mesh/batched/support.openapi.json", endpoint: "http://127.0.0.1:45415" }) },
    { sourceHandler: loadOpenAPISubgraph("web", { source: "/work/main/bench/.mesh/batched/web.openapi.json", endpoint: "http://127.0.0.1:32853" }) },
    { sourceHandler: loadOpenAPISubgraph("social", { source: "/work/main/bench/.mesh/batched/social.openapi.json", endpoint: "http://127.0.0.1:44589" }) },
    { sourceHandler: loadOpenAPISubgraph("weather", { source: "/work/main/bench/.mesh/batched/weather.openapi.json", endpoint: "http://127.0.0.1:43705" }) }
  ],
  additionalTypeDefs: /* GraphQL */ `
extend type Contact {
  orders: [Order] @resolveTo(sourceName: "orders", sourceTypeName: "Query", sourceFieldName: "getOrdersByCustomerEmails", keysArg: "customer_emails", keyField: "email", valueKeyField: "customer_email", requiredSelectionSet: "{ email }", result: "data")
  invoices: [Invoice] @resolveTo(sourceName: "billing", sourceTypeName: "Query", sourceFieldName: "getInvoicesByEmails", keysArg: "bill_to_emails", keyField: "email", valueKeyField: "bill_to_email", requiredSelectionSet: "{ email }", result: "data")
  tickets: [Ticket] @resolveTo(sourceName: "support", sourceTypeName: "Query", sourceFieldName: "getTicketsByRequesterEmails", keysArg: "requester_emails", keyField: "email", valueKeyField: "requester_email", requiredSelectionSet: "{ email }", result: "data")
  visits: [Visit] @resolveTo(sourceName: "web", sourceTypeName: "Query", sourceFieldName: "getVisitsByUserEmails", keysArg: "user_emails", keyField: "email", valueKeyField: "user_email", requiredSelectionSet: "{ email }", result: "data")
  mentions: [Mention] @resolveTo(sourceName: "social", sourceTypeName: "Query", sourceFieldName: "getMentionsByHandles", keysArg: "handles", keyField: "twitter_handle", valueKeyField: "handle", requiredSelectionSet: "{ twitter_handle }", result: "data")
  weather: Forecast @resolveTo(sourceName: "weather", sourceTypeName: "Query", sourceFieldName: "getCurrentWeather", requiredSelectionSet: "{ latitude longitude }", sourceArgs: { latitude: "{root.latitude}", longitude: "{root.longitude}", current: "temperature_2m,weather_code,wind_speed_10m,relative_humidity_2m" })
}
`,
});
