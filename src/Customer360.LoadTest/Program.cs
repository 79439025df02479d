using System.CommandLine;
using Customer360.LoadTest;
using Customer360.LoadTest.Ingest;

string[] expanded;
try
{
    expanded = ProfileArguments.Expand(args);
}
catch (ProfileException ex)
{
    Console.Error.WriteLine($"c360-load: {ex.Message}");
    return LoadExitCodes.InvalidInput;
}

// Ctrl-C cancels the running benchmark's token; it gets two seconds to close its streams.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(2) };
return await LoadTestApplication.Create().Parse(expanded).InvokeAsync(invocation);
