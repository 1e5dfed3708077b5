// Invariants: Code is always a defined OtErrorCode and CodeName its stable wire string; the message names the problem
// and, where there is one, the position (UTF-16 code units) and component index.
namespace KefuSync.Ot;

/// <summary>An operation is malformed or does not fit the document it is applied to.</summary>
public sealed class OtException : Exception
{
    /// <summary>Creates an exception with the given code and message.</summary>
    public OtException(OtErrorCode code, string message)
        : base(message)
    {
        Code = code;
    }

    /// <summary>Creates an exception with the given code, message and cause.</summary>
    public OtException(OtErrorCode code, string message, Exception? innerException)
        : base(message, innerException)
    {
        Code = code;
    }

    /// <summary>What went wrong.</summary>
    public OtErrorCode Code { get; }

    /// <summary>The stable snake_case name of <see cref="Code"/>, as used by the TypeScript client and the shared test vectors.</summary>
    public string CodeName => GetCodeName(Code);

    /// <summary>The stable snake_case name of <paramref name="code"/> (for example <c>base_length_mismatch</c>).</summary>
    public static string GetCodeName(OtErrorCode code) => code switch
    {
        OtErrorCode.Malformed => "malformed",
        OtErrorCode.TooLarge => "too_large",
        OtErrorCode.BaseLengthMismatch => "base_length_mismatch",
        OtErrorCode.SplitsSurrogatePair => "splits_surrogate_pair",
        OtErrorCode.InvalidSurrogate => "invalid_surrogate",
        OtErrorCode.NotComposable => "not_composable",
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, "Unknown OT error code."),
    };
}
