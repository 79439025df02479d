namespace Customer360.Cli.Seeds;

/// <summary>
/// The fixed vocabulary of the seed data: names, places and a small product range. Every name,
/// email domain and phone range is fictional or reserved for examples.
/// </summary>
internal static class SeedCatalog
{
    public static readonly string[] GivenNames =
    [
        "Anna", "Ben", "Clara", "David", "Elena", "Felix", "Greta", "Hugo", "Ines", "Jonas", "Katrin", "Luca",
        "Marie", "Noah", "Olivia", "Paul", "Quentin", "Rosa", "Samuel", "Tara", "Ulla", "Victor", "Wiebke", "Xavier",
        "Yara", "Zoe", "Amelie", "Bruno", "Chloe", "Daan", "Emma", "Finn", "Giulia", "Hannah", "Ivan", "Julia",
        "Karim", "Lena", "Mateo", "Nina", "Oscar", "Pia", "Rafael", "Sofia", "Tom", "Vera", "Willem", "Lotte",
    ];

    public static readonly string[] FamilyNames =
    [
        "Muller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Dubois", "Martin",
        "Bernard", "Moreau", "Laurent", "deVries", "Jansen", "Bakker", "Visser", "Smit", "Gruber", "Huber",
        "Murphy", "Kelly", "Byrne", "Walsh", "Garcia", "Fernandez", "Lopez", "Rossi", "Russo", "Ferrari",
        "Peeters", "Janssens", "Maes", "Novak", "Kowalski", "Nielsen", "Hansen", "Berg", "Lindqvist", "Costa",
    ];

    public static readonly string[] EmailDomains = ["example.com", "example.org", "example.net"];

    public static readonly string[] Streets =
    [
        "Hauptstrasse", "Bahnhofstrasse", "Rue de la Paix", "Rue Victor Hugo", "Kerkstraat", "Dorpsstraat",
        "Main Street", "Church Road", "Calle Mayor", "Via Roma", "Lindenweg", "Gartenstrasse",
    ];

    /// <summary>Locality, postal code prefix, country, phone country code, language.</summary>
    public static readonly (string Locality, string PostalPrefix, string Country, string PhoneCode, string Language)[] Places =
    [
        ("Berlin", "10", "DE", "49", "de"), ("Hamburg", "20", "DE", "49", "de"), ("Munich", "80", "DE", "49", "de"),
        ("Cologne", "50", "DE", "49", "de"), ("Paris", "75", "FR", "33", "fr"), ("Lyon", "69", "FR", "33", "fr"),
        ("Amsterdam", "10", "NL", "31", "nl"), ("Utrecht", "35", "NL", "31", "nl"), ("Vienna", "10", "AT", "43", "de"),
        ("Dublin", "D0", "IE", "353", "en"), ("Madrid", "28", "ES", "34", "es"), ("Milan", "20", "IT", "39", "it"),
        ("Brussels", "10", "BE", "32", "fr"), ("Antwerp", "20", "BE", "32", "nl"),
    ];

    /// <summary>Product categories: SKU prefix, how often bought, median unit price and its spread.</summary>
    public static readonly (string Name, string Code, double Weight, double MedianPrice, double Sigma)[] Categories =
    [
        ("grocery", "GRO", 30, 6.5, 0.5),
        ("apparel", "APP", 15, 39, 0.5),
        ("footwear", "FTW", 6, 69, 0.4),
        ("electronics", "ELE", 6, 149, 0.8),
        ("home", "HOM", 12, 29, 0.7),
        ("beauty", "BEA", 12, 18, 0.5),
        ("books", "BOK", 8, 14, 0.35),
        ("toys", "TOY", 6, 24, 0.6),
        ("sports", "SPO", 5, 45, 0.7),
    ];

    public const int SkusPerCategory = 20;

    public const int Stores = 40;
}
