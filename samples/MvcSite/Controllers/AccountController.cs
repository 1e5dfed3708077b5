using Microsoft.AspNetCore.Mvc;

namespace MvcSite.Controllers;

/// <summary>The demo agent login page (the POST handlers are in Program.cs).</summary>
public sealed class AccountController : Controller
{
    [HttpGet]
    public IActionResult Login(string? returnUrl) => View(model: returnUrl);
}
