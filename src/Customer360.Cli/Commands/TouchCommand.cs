using System.CommandLine;
using Customer360.Api.V1;
using Customer360.Cli.Infrastructure;
using Customer360.Cli.Mapping;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Spectre.Console;

namespace Customer360.Cli.Commands;

/// <summary><c>c360 touch</c>: records one touchpoint.</summary>
internal static class TouchCommand
{
    public static Command Create(GlobalOptions global)
    {
        var customer = new Option<string>("--customer") { Description = "Customer id", Required = true };
        var eventId = new Option<string>("--event-id")
        {
            Description = "Idempotency key; sending the same id again is a no-op. Default: a new GUID",
        };
        var channel = Options.Enum("--channel", FriendlyNames.Channels, "Where it happened");
        channel.Required = true;
        var kind = Options.Enum("--kind", FriendlyNames.Kinds, "What happened");
        kind.Required = true;
        var amount = new Option<string>("--amount") { Description = "Amount, e.g. 12.50; required for purchases and returns" };
        var currency = new Option<string>("--currency")
        {
            Description = "ISO-4217 currency code",
            DefaultValueFactory = _ => ProtoValues.DefaultCurrency,
        };
        var at = Options.Timestamp("--at", "When it happened (ISO-8601 with offset). Default: now");
        var source = new Option<string>("--source") { Description = "Sending system, e.g. till-042", DefaultValueFactory = _ => "c360" };
        var attributes = Options.KeyValues("--attr", "Extra attribute, may be repeated");

        var command = new Command("touch", "Record one touchpoint")
        {
            customer, eventId, channel, kind, amount, currency, at, source, attributes,
        };
        command.SetHandler(global, async (parseResult, context) =>
        {
            var touchpoint = new Touchpoint
            {
                EventId = parseResult.GetValue(eventId) ?? Guid.NewGuid().ToString(),
                CustomerId = parseResult.GetRequiredValue(customer),
                OccurredAt = parseResult.GetValue(at) ?? Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
                Channel = parseResult.GetValue(channel),
                Kind = parseResult.GetValue(kind),
                SourceSystem = parseResult.GetValue(source) ?? string.Empty,
            };
            if (parseResult.GetValue(amount) is { Length: > 0 } text)
            {
                touchpoint.Amount = ProtoValues.Money(text, parseResult.GetValue(currency));
            }

            foreach (var (key, value) in parseResult.GetValue(attributes) ?? [])
            {
                touchpoint.Attributes[key] = value;
            }

            TouchpointAck ack;
            try
            {
                ack = await context.Customers.RecordTouchpointAsync(
                    new RecordTouchpointRequest { Touchpoint = touchpoint },
                    cancellationToken: context.CancellationToken);
            }
            catch (RpcException ex) when (!Refused(ex.StatusCode))
            {
                // The answer was lost, not the touchpoint perhaps: the server may have recorded it.
                // Sent again with the same event id and time it is counted once; a new id (the
                // default) would count a recorded purchase twice.
                CliContext.Error.MarkupLine("[yellow]The touchpoint may have been recorded. To send it again without counting it twice, repeat the command with:[/]");
                CliContext.Error.MarkupLineInterpolated($"  --event-id {touchpoint.EventId} --at {ProtoValues.FormatIso(touchpoint.OccurredAt)}");
                throw;
            }

            if (context.Json)
            {
                context.WriteJson(ack);
            }
            else
            {
                context.Out.MarkupLineInterpolated(
                    $"[green]{FriendlyNames.AckStatuses.Format(ack.Status)}[/] event {touchpoint.EventId} for {touchpoint.CustomerId}, customer version {ack.CustomerVersion}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Whether the server refused the touchpoint, so that it was certainly not recorded.</summary>
    private static bool Refused(StatusCode code) => code is StatusCode.InvalidArgument or StatusCode.FailedPrecondition
        or StatusCode.Unauthenticated or StatusCode.PermissionDenied or StatusCode.ResourceExhausted or StatusCode.Cancelled;
}
