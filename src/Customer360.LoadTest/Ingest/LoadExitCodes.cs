namespace Customer360.LoadTest.Ingest;

/// <summary>What <c>c360-load</c> returns to the shell, so scripts can tell a bad run from a good one.</summary>
internal static class LoadExitCodes
{
    public const int Ok = 0;

    /// <summary>Bad arguments, or no database for the baselines; nothing was measured.</summary>
    public const int InvalidInput = 1;

    /// <summary>The server could not be reached, rejected touchpoints, or broke a stream: the figures are not valid.</summary>
    public const int EngineProblems = 2;

    /// <summary>A PostgreSQL baseline failed.</summary>
    public const int BaselineFailed = 3;

    /// <summary>Stopped with Ctrl-C (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;
}
