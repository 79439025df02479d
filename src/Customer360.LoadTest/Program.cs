using System.CommandLine;
using Customer360.LoadTest;

// Ctrl-C cancels the running benchmark's token; it gets two seconds to close its streams.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(2) };
return await LoadTestApplication.Create().Parse(args).InvokeAsync(invocation);
