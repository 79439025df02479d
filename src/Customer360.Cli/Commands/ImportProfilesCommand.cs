using System.CommandLine;
using Customer360.Cli.Import;
using Customer360.Cli.Infrastructure;

namespace Customer360.Cli.Commands;

/// <summary><c>c360 import-profiles FILE</c>: upserts profiles from JSON Lines of UpsertProfileRequest.</summary>
internal static class ImportProfilesCommand
{
    public static Command Create(GlobalOptions global)
    {
        var file = new Argument<FileInfo>("file") { Description = "JSON Lines, one UpsertProfileRequest object per line" };
        var parallel = Options.Int("--parallel", "Upserts in flight at once", ProfileImporter.DefaultParallelism, 1, 256);

        var command = new Command("import-profiles", "Create or update customer profiles from a JSON Lines file; safe to re-run")
        {
            file, parallel,
        };
        command.SetHandler(global, async (parseResult, context) =>
        {
            var path = parseResult.GetRequiredValue(file).FullName;
            if (!File.Exists(path))
            {
                throw new UserInputException($"no such file: {path}");
            }

            var total = ImportFile.CountRecords(path, ImportFormat.Jsonl);
            using var reader = new StreamReader(path);
            var client = context.Customers;
            var importer = new ProfileImporter(
                async (request, ct) =>
                {
                    using var call = client.UpsertProfileAsync(request, cancellationToken: ct);
                    await call.ResponseAsync;
                    return ProfileChangedTrailer.SaysChanged(call.GetTrailers());
                },
                parseResult.GetValue(parallel));
            return await ImportSession.RunAsync(
                context,
                total,
                $"Upserting {Path.GetFileName(path)}",
                importer.Tally,
                onProgress =>
                {
                    importer.Progress = onProgress;
                    return importer.RunAsync(ImportFile.ReadProfiles(reader), context.CancellationToken);
                },
                acceptedLabel: "upserted",
                countsDuplicates: false);
        });
        return command;
    }
}
