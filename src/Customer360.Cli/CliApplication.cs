using System.CommandLine;
using Customer360.Cli.Commands;
using Customer360.Cli.Infrastructure;

namespace Customer360.Cli;

/// <summary>The <c>c360</c> command tree.</summary>
internal static class CliApplication
{
    public static RootCommand Create()
    {
        var global = new GlobalOptions();
        var root = new RootCommand("c360: the Customer360 command line. Look up, watch and feed the live customer view.")
        {
            global.Server,
            global.ApiKey,
            global.CaCertificate,
            global.Json,
            GetCommand.Create(global),
            WatchCommand.Create(global),
            TouchCommand.Create(global),
            ProfileCommand.Create(global),
            TouchpointsCommand.Create(global),
            EraseCommand.Create(global),
            ImportCommand.Create(global),
            ImportTransactionsCommand.Create(global),
            ImportProfilesCommand.Create(global),
            SegmentsCommand.Create(global),
            SegmentCommand.Create(global),
            ModelCommand.Create(global),
            SeedsCommand.Create(global),
            ApiKeyCommand.Create(global),
        };
        return root;
    }
}
