using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using MvcSite.Bots;
using MvcSite.Infrastructure;

var builder = WebApplication.CreateBuilder(args);
// Every page is served under a strict CSP: scripts need the response's nonce, which the layout gives <kefu-widget />.
builder.Services.AddControllersWithViews(o => o.Filters.Add<StrictCspFilter>());

// The site's own login (a demo: two agents and one customer, no passwords). KefuSync uses whatever authentication the
// host has: agents pass the "KefuAgent" policy (KefuSync:AgentPolicy in appsettings.json); a logged-in customer's id is
// passed to <kefu-widget visitor-id=...> in _Layout.cshtml, signed on the server, so every device of theirs shares one chat.
builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
    .AddCookie(o => o.LoginPath = "/account/login");
// Alice is also an admin ("KefuAdmin", KefuSync:AdminPolicy): her console has the Integrations tab (API keys, webhooks).
builder.Services.AddAuthorization(o =>
{
    o.AddPolicy("KefuAgent", p => p.RequireRole("agent"));
    o.AddPolicy("KefuAdmin", p => p.RequireRole("admin"));
});

// KefuSync: options from appsettings.json ("KefuSync" section); conversations in a SQLite file next to the app,
// so the sample survives a restart with every conversation intact.
// The admin policy is set here beside its registration above (appsettings.json sets the rest, AgentPolicy included).
var kefu = builder.Services.AddKefuSync(o => o.AdminPolicy = "KefuAdmin");
if (builder.Configuration.GetConnectionString("KefuRedis") is { Length: > 0 } redis)
{
    // Several nodes (samples/MultiNode/run.sh): the op store, the backplane and the Data Protection key ring (visitor
    // tokens, the login cookie) in one Redis, so any node serves any request.
    kefu.AddRedis(redis).PersistDataProtectionKeysToRedis();
}
else
{
    var database = builder.Configuration.GetConnectionString("Kefu") ?? $"Data Source={Path.Combine(builder.Environment.ContentRootPath, "kefu-sample.db")}";
    kefu.AddEntityFrameworkStore(db => db.UseSqlite(database), o => o.CreateSchemaOnStartup = true);
}

kefu.AddHealthChecks();

// The sample bot (docs/bots.md), off unless Bot:Enabled (`dotnet run --project samples/MvcSite --Bot:Enabled=true`): it
// takes new conversations and answers from an IChatClient until it, the visitor or an agent hands them to a person.
// FaqChatClient is local and deterministic (keyword answers); to use a real model, register its IChatClient instead,
// e.g. with Microsoft.Extensions.AI.OpenAI:
//   builder.Services.AddSingleton<IChatClient>(new OpenAIClient(key).GetChatClient("gpt-4o-mini").AsIChatClient());
if (builder.Configuration.GetValue<bool>("Bot:Enabled"))
{
    builder.Services.AddSingleton<IChatClient, FaqChatClient>();
    kefu.AddBot<ChatClientBot>(o => o.DisplayName = "Assistant");
}

var app = builder.Build();
app.UseStaticFiles();
app.UseRouting();
app.UseAuthentication();
app.UseAuthorization();

app.MapKefuSync();
app.MapHealthChecks("/health");
app.MapControllerRoute("default", "{controller=Home}/{action=Index}/{id?}");
app.MapPost("/account/login", async (HttpContext context, [FromForm] string agent, [FromForm] string? returnUrl) =>
{
    if (agent is not ("alice" or "bob"))
    {
        return Results.BadRequest("Demo agents are alice and bob.");
    }

    var identity = new ClaimsIdentity(
        [new Claim(ClaimTypes.NameIdentifier, agent), new Claim(ClaimTypes.Name, agent == "alice" ? "Alice" : "Bob"), new Claim(ClaimTypes.Role, "agent"), .. agent == "alice" ? [new Claim(ClaimTypes.Role, "admin")] : Array.Empty<Claim>()],
        CookieAuthenticationDefaults.AuthenticationScheme);
    await context.SignInAsync(new ClaimsPrincipal(identity));
    return Results.LocalRedirect(string.IsNullOrEmpty(returnUrl) || !returnUrl.StartsWith('/') ? "~/kefu/console" : returnUrl);
}).DisableAntiforgery();
app.MapPost("/account/customer", async (HttpContext context) =>
{
    var identity = new ClaimsIdentity(
        [new Claim(ClaimTypes.NameIdentifier, "carol"), new Claim(ClaimTypes.Name, "Carol"), new Claim(ClaimTypes.Role, "customer"), new Claim("plan", "Oolong Club")],
        CookieAuthenticationDefaults.AuthenticationScheme);
    await context.SignInAsync(new ClaimsPrincipal(identity));
    return Results.LocalRedirect("~/");
}).DisableAntiforgery();
app.MapPost("/account/logout", async (HttpContext context) =>
{
    await context.SignOutAsync();
    return Results.LocalRedirect("~/");
}).DisableAntiforgery();

app.Run();

/// <summary>Entry point, public for WebApplicationFactory and the browser tests.</summary>
public partial class Program;
