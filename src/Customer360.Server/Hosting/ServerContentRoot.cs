namespace Customer360.Server.Hosting;

/// <summary>
/// Where the server reads its settings files (<c>appsettings.json</c>) from. ASP.NET Core reads
/// them from the working directory, so a server started from another directory
/// (<c>dotnet /opt/customer360/Customer360.Server.dll</c> from a service manager) would read
/// none, and start without the API keys they hold. The working directory still comes first, as
/// <c>dotnet run --project</c> uses it; without a settings file there, the server's own folder is
/// used. A content root given on the command line or in the environment is left as it is.
/// </summary>
public static class ServerContentRoot
{
    private const string SettingsFile = "appsettings.json";

    /// <summary>The content root to use, or null to leave ASP.NET Core's choice.</summary>
    public static string? Choose(string[] args, string workingDirectory, string applicationDirectory)
    {
        var givenElsewhere =
            args.Any(a => a.StartsWith("--contentRoot", StringComparison.OrdinalIgnoreCase) || a.StartsWith("/contentRoot", StringComparison.OrdinalIgnoreCase))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT"))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_CONTENTROOT"));
        if (givenElsewhere || File.Exists(Path.Combine(workingDirectory, SettingsFile)))
        {
            return null;
        }

        return File.Exists(Path.Combine(applicationDirectory, SettingsFile)) ? applicationDirectory : null;
    }
}
