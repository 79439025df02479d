using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Customer360.Cli.Infrastructure;

namespace Customer360.Cli.Commands;

/// <summary>
/// <c>c360 api-key new</c>: makes a random API key and prints it with the server settings that
/// accept it. Needs no server; the server is given only the key's SHA-256.
/// </summary>
internal static class ApiKeyCommand
{
    private static readonly string[] Roles = ["till", "agent", "operator"];

    public static Command Create(GlobalOptions global)
    {
        var name = new Option<string>("--name") { Description = "The key's name in the server's settings, refusals and logs", Required = true };
        var roles = new Option<string>("--roles") { Description = "Comma-separated: till, agent, operator", Required = true };
        var create = new Command("new", "Make a random API key and print the server settings for it (the key is shown only here)")
        {
            name, roles,
        };
        create.SetHandler(global, (parseResult, context) =>
        {
            var keyName = parseResult.GetRequiredValue(name).Trim();
            if (keyName.Length == 0 || keyName.Any(c => !(char.IsAsciiLetterOrDigit(c) || c == '_')))
            {
                throw new UserInputException($"--name: '{keyName}' must be letters, digits and '_', so that the settings can be environment variables");
            }

            var given = parseResult.GetRequiredValue(roles).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(r => r.ToLowerInvariant()).Distinct().ToList();
            if (given.Count == 0 || given.Any(r => !Roles.Contains(r)))
            {
                throw new UserInputException($"--roles: give one or more of {string.Join(", ", Roles)}");
            }

            var (key, sha256) = NewKey();
            var prefix = $"Customer360__Auth__Keys__{keyName}__";
            if (context.Json)
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, string>
                {
                    ["name"] = keyName, ["key"] = key, ["sha256"] = sha256, ["roles"] = string.Join(",", given),
                }));
            }
            else
            {
                Console.Out.WriteLine($"key:  {key}   (give it to the client; it is not shown again)");
                Console.Out.WriteLine($"{prefix}Sha256={sha256}");
                Console.Out.WriteLine($"{prefix}Roles={string.Join(",", given)}");
            }

            return Task.FromResult(ExitCodes.Ok);
        });

        return new Command("api-key", "API keys for servers that require them") { create };
    }

    /// <summary>A key of 32 random bytes, and the SHA-256 of its UTF-8 text that the server is configured with.</summary>
    public static (string Key, string Sha256) NewKey()
    {
        var key = "c360_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return (key, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))));
    }
}
