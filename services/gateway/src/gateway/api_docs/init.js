// Swagger UI on the gateway's own OpenAPI document; a file, not inline, for the CSP.
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: false,
});
