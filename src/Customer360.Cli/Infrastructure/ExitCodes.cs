namespace Customer360.Cli.Infrastructure;

/// <summary>What <c>c360</c> returns to the shell, so scripts can tell failures apart.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Bad arguments or an unreadable local file; nothing was sent.</summary>
    public const int InvalidInput = 1;

    /// <summary>The server answered with an error status, or could not be reached.</summary>
    public const int ServerError = 2;

    /// <summary>An import finished but some records were rejected or never acknowledged.</summary>
    public const int PartialImport = 3;

    /// <summary>Stopped with Ctrl-C (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;
}
