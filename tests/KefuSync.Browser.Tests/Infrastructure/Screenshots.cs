namespace KefuSync.Browser.Tests.Infrastructure;

/// <summary>Where the screenshots for human eyes go: <c>artifacts/screenshots/</c> of the repository (else beside the tests).</summary>
internal static class Screenshots
{
    public static string Directory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KefuSync.sln")))
            {
                return System.IO.Directory.CreateDirectory(Path.Combine(dir.FullName, "artifacts", "screenshots")).FullName;
            }
        }

        return System.IO.Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts", "screenshots")).FullName;
    }
}
