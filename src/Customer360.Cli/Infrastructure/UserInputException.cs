namespace Customer360.Cli.Infrastructure;

/// <summary>Input the user can fix: reported as one line, without a stack trace.</summary>
internal sealed class UserInputException(string message) : Exception(message);
