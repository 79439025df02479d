using Customer360.Domain.Validation;

namespace Customer360.Domain.Tests.Validation;

public sealed class CustomerIdsTests
{
    private static readonly InputLimits Limits = new();

    [Theory]
    [InlineData("abc")]
    [InlineData("ABC")]
    [InlineData("00abc")]
    [InlineData("0")]
    [InlineData("3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    [InlineData("kunde/äöü 42")]
    public void OpaqueIdsAreAccepted(string customerId)
    {
        Assert.Null(CustomerIds.Check(customerId, Limits));
    }

    [Fact]
    public void IdOfExactly128CharactersIsAccepted()
    {
        Assert.Null(CustomerIds.Check(new string('c', 128), Limits));
    }

    [Theory]
    [InlineData(null, "must not be empty")]
    [InlineData("", "must not be empty")]
    [InlineData("a\u0000b", "must not contain control characters")]
    [InlineData("a\rb", "must not contain control characters")]
    [InlineData("\u0085abc", "must not contain control characters")]
    [InlineData(" abc", "must not start or end with white space")]
    [InlineData("abc\u00a0", "must not start or end with white space")]
    public void MalformedIdIsRejected(string? customerId, string message)
    {
        var error = CustomerIds.Check(customerId, Limits);

        Assert.Equal(new ValidationError("customer_id", message), error);
    }

    [Fact]
    public void IdOver128CharactersIsRejected()
    {
        var error = CustomerIds.Check(new string('c', 129), Limits);

        Assert.Equal(new ValidationError("customer_id", "must be at most 128 characters, got 129"), error);
    }

    [Fact]
    public void ErrorNamesTheGivenField()
    {
        Assert.Equal("customer_ids[3]", CustomerIds.Check("", Limits, "customer_ids[3]")?.Field);
    }

    [Fact]
    public void LengthLimitIsConfigurable()
    {
        Assert.Equal("customer_id", CustomerIds.Check("abcd", new InputLimits { MaxCustomerIdLength = 3 })?.Field);
    }

    [Fact]
    public void ExactlyTheCharactersDotNetCallsControlCharactersAreRefused()
    {
        // Every UTF-16 code unit but the surrogates, inside an id: refused exactly when
        // char.IsControl says so, including at the edges of both control ranges.
        for (var c = 0; c <= 0xFFFF; c++)
        {
            if (char.IsSurrogate((char)c))
            {
                continue;
            }

            var error = CustomerIds.Check($"a{(char)c}b", Limits);
            var refused = error?.Message == "must not contain control characters";
            Assert.True(refused == char.IsControl((char)c), $"U+{c:X4}: refused {refused}, control {char.IsControl((char)c)}");
        }
    }
}
