using System.CommandLine;
using Customer360.Api.V1;
using Customer360.Cli.Infrastructure;
using Customer360.Cli.Mapping;
using Spectre.Console;

namespace Customer360.Cli.Commands;

/// <summary>
/// <c>c360 erase ID --yes</c>: erases a customer (a right-to-be-forgotten request) and says what
/// was removed and what is kept. Without <c>--yes</c> nothing is sent: an erasure cannot be undone.
/// </summary>
internal static class EraseCommand
{
    public static Command Create(GlobalOptions global)
    {
        var id = new Argument<string>("id") { Description = "Customer id, e.g. C000123" };
        var yes = new Option<bool>("--yes") { Description = "Erase without asking: the customer's history is deleted for good" };
        var command = new Command(
            "erase",
            "Erase a customer (right to be forgotten): delete its touchpoints, profile changes and snapshot, take it out of every segment, and keep only its id and the erasure time (operator key)")
        {
            id,
            yes,
        };
        command.SetHandler(global, async (parseResult, context) =>
        {
            var customerId = parseResult.GetRequiredValue(id);
            if (!parseResult.GetValue(yes))
            {
                throw new UserInputException(
                    $"erasing customer '{customerId}' deletes its whole history and cannot be undone; nothing was sent. Add --yes to erase it.");
            }

            var erased = await context.Customers.EraseCustomerAsync(new EraseCustomerRequest { CustomerId = customerId }, cancellationToken: context.CancellationToken);
            if (context.Json)
            {
                context.WriteJson(erased);
                return ExitCodes.Ok;
            }

            var at = ProtoValues.FormatIso(erased.ErasedAt);
            if (erased.AlreadyErased)
            {
                context.Out.MarkupLineInterpolated($"Customer {erased.CustomerId} was erased already, at {at}: nothing more to remove.");
            }
            else
            {
                context.Out.MarkupLineInterpolated(
                    $"[green]Erased[/] customer {erased.CustomerId} at {at}: {erased.EntriesRemoved:N0} log {(erased.EntriesRemoved == 1 ? "entry" : "entries")} removed (touchpoints and profile changes), with its snapshot and its segment memberships.");
            }

            context.Out.MarkupLineInterpolated(
                $"Kept: the id and the erasure time. Touchpoints for {erased.CustomerId} dated at or before {at} are refused; later ones start a new history.");
            return ExitCodes.Ok;
        });
        return command;
    }
}
