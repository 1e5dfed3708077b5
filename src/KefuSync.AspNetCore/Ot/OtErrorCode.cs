// Invariants: every value maps to exactly one stable wire string (OtException.CodeName), shared with the TypeScript
// client and with tests/vectors/ot.json. Values are never renumbered or renamed; new ones are appended.
namespace KefuSync.Ot;

/// <summary>Why an operation was refused. The wire string of each value is given by <see cref="OtException.CodeName"/>.</summary>
public enum OtErrorCode
{
    /// <summary><c>malformed</c>: not a JSON array of non-zero Int32 integers and non-empty strings, or too many components.</summary>
    Malformed = 1,

    /// <summary><c>too_large</c>: the base or target length of the operation exceeds <see cref="TextOperation.MaxLength"/>.</summary>
    TooLarge = 2,

    /// <summary><c>base_length_mismatch</c>: the operation does not span the document (or, for a transform, the two operations do not share a base).</summary>
    BaseLengthMismatch = 3,

    /// <summary><c>splits_surrogate_pair</c>: a retain, insert or delete boundary falls between the two halves of a surrogate pair of the document.</summary>
    SplitsSurrogatePair = 4,

    /// <summary><c>invalid_surrogate</c>: an inserted string contains an unpaired surrogate.</summary>
    InvalidSurrogate = 5,

    /// <summary><c>not_composable</c>: the target length of the first operation differs from the base length of the second.</summary>
    NotComposable = 6,
}
