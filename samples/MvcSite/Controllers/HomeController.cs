using Microsoft.AspNetCore.Mvc;

namespace MvcSite.Controllers;

/// <summary>The sample shop's pages. Nothing here knows about KefuSync: the widget comes from the layout.</summary>
public sealed class HomeController : Controller
{
    public IActionResult Index() => View();

    public IActionResult Products() => View();

    public IActionResult Pricing() => View();

    public IActionResult Contact() => View();
}
