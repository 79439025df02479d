using System.CommandLine;
using Customer360.Cli;

// Ctrl-C cancels the running command's token; a command gets two seconds to stop cleanly.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(2) };
return await CliApplication.Create().Parse(args).InvokeAsync(invocation);
