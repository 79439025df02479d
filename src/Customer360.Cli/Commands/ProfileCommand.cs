using System.CommandLine;
using Customer360.Api.V1;
using Customer360.Cli.Infrastructure;
using Customer360.Cli.Mapping;
using Customer360.Cli.Rendering;
using Google.Protobuf.WellKnownTypes;

namespace Customer360.Cli.Commands;

/// <summary>
/// <c>c360 profile ID</c>: creates the customer or changes only the profile fields given.
/// A list option given once or more replaces the stored list; a <c>--clear-*</c> option empties it
/// (<c>--clear-address</c> removes the address).
/// </summary>
internal static class ProfileCommand
{
    public static Command Create(GlobalOptions global)
    {
        var id = new Argument<string>("id") { Description = "Customer id, e.g. C000123" };
        var givenName = new Option<string>("--given-name") { Description = "Given name" };
        var familyName = new Option<string>("--family-name") { Description = "Family name" };
        var emails = new Option<string[]>("--email") { Description = "Email address; repeat for several. Replaces the stored list" };
        var phones = new Option<string[]>("--phone") { Description = "Phone number; repeat for several. Replaces the stored list" };
        var cards = new Option<string[]>("--loyalty-card") { Description = "Loyalty card id; repeat for several. Replaces the stored list" };
        var clearEmails = new Option<bool>("--clear-emails") { Description = "Remove all email addresses" };
        var clearPhones = new Option<bool>("--clear-phones") { Description = "Remove all phone numbers" };
        var clearCards = new Option<bool>("--clear-loyalty-cards") { Description = "Remove all loyalty cards" };
        var addressLines = new Option<string[]>("--address-line") { Description = "Street address line; repeat for several. With the other address options, replaces the address" };
        var locality = new Option<string>("--locality") { Description = "Town or city" };
        var region = new Option<string>("--region") { Description = "Region or state" };
        var postalCode = new Option<string>("--postal-code") { Description = "Postal code" };
        var country = new Option<string>("--country") { Description = "ISO-3166 alpha-2 country code, e.g. DE" };
        var clearAddress = new Option<bool>("--clear-address") { Description = "Remove the address" };
        var set = Options.KeyValues("--set", "Set a profile attribute; may be repeated");
        var remove = new Option<string[]>("--remove") { Description = "Remove a profile attribute; may be repeated" };
        var consents = Options.KeyValues("--consent", $"Marketing consent as channel=yes|no; channels: {FriendlyNames.MarketingChannels.Choices}");

        var command = new Command("profile", "Create a customer or update profile fields; fields not given are kept")
        {
            id, givenName, familyName, emails, phones, cards, clearEmails, clearPhones, clearCards,
            addressLines, locality, region, postalCode, country, clearAddress, set, remove, consents,
        };
        command.SetHandler(global, async (parseResult, context) =>
        {
            var request = new UpsertProfileRequest { CustomerId = parseResult.GetRequiredValue(id) };
            if (parseResult.GetValue(givenName) is { } given)
            {
                request.GivenName = given;
            }

            if (parseResult.GetValue(familyName) is { } family)
            {
                request.FamilyName = family;
            }

            request.Emails = ListPatch(parseResult.GetValue(emails), parseResult.GetValue(clearEmails), "--email");
            request.PhoneNumbers = ListPatch(parseResult.GetValue(phones), parseResult.GetValue(clearPhones), "--phone");
            request.LoyaltyCardIds = ListPatch(parseResult.GetValue(cards), parseResult.GetValue(clearCards), "--loyalty-card");

            var lines = parseResult.GetValue(addressLines) ?? [];
            string?[] parts = [parseResult.GetValue(locality), parseResult.GetValue(region), parseResult.GetValue(postalCode), parseResult.GetValue(country)];
            var givesAddress = lines.Length > 0 || parts.Any(p => p is not null);
            if (parseResult.GetValue(clearAddress))
            {
                if (givesAddress)
                {
                    throw new UserInputException("the address options and --clear-address contradict each other");
                }

                // The API clears the address when given one with every part empty.
                request.Address = new PostalAddress();
            }
            else if (givesAddress)
            {
                request.Address = new PostalAddress
                {
                    Locality = parts[0] ?? string.Empty,
                    Region = parts[1] ?? string.Empty,
                    PostalCode = parts[2] ?? string.Empty,
                    CountryCode = parts[3]?.ToUpperInvariant() ?? string.Empty,
                };
                request.Address.Lines.AddRange(lines);
            }

            foreach (var (key, value) in parseResult.GetValue(set) ?? [])
            {
                request.SetAttributes[key] = value;
            }

            request.RemoveAttributes.AddRange(parseResult.GetValue(remove) ?? []);
            foreach (var (channel, answer) in parseResult.GetValue(consents) ?? [])
            {
                request.Consents.Add(new Consent
                {
                    Channel = FriendlyNames.MarketingChannels.Parse(channel, "marketing channel"),
                    Granted = ParseYesNo(answer),
                    UpdatedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
                });
            }

            var view = await context.Customers.UpsertProfileAsync(request, cancellationToken: context.CancellationToken);
            if (context.Json)
            {
                context.WriteJson(view);
            }
            else
            {
                CustomerViewRenderer.Write(context.Out, view);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static StringList? ListPatch(string[]? values, bool clear, string option)
    {
        if (clear && values is { Length: > 0 })
        {
            throw new UserInputException($"{option} and its --clear option contradict each other");
        }

        if (clear)
        {
            return new StringList();
        }

        return values is { Length: > 0 } ? new StringList { Values = { values } } : null;
    }

    private static bool ParseYesNo(string answer) => answer.Trim().ToLowerInvariant() switch
    {
        "yes" or "y" or "true" or "granted" or "1" => true,
        "no" or "n" or "false" or "refused" or "denied" or "0" => false,
        _ => throw new UserInputException($"--consent: '{answer}' is not yes or no"),
    };
}
