using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace KefuSync.RestApi;

/// <summary>The <c>kefusync</c> OpenAPI document: the API's endpoints only (never the host's or the sync transports), with the bearer scheme.</summary>
internal static class ApiOpenApi
{
    public const string SchemeName = "bearer";

    public static void AddKefuApiDocument(this IServiceCollection services)
        => services.AddOpenApi(ApiEndpoints.DocumentName, o =>
        {
            o.ShouldInclude = d => d.GroupName == ApiEndpoints.DocumentName;
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo { Title = "KefuSync REST API", Version = "v1", Description = "docs/rest-api.md" };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "An API key from KefuSync:Api:Keys, sent as Authorization: Bearer KEY.",
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, document)] = [] }];
                return Task.CompletedTask;
            });
        });
}
