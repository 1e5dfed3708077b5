// Invariants: the three kinds of the ot.js model; on the wire a retain is a positive integer, an insert a non-empty
// string and a delete a negative integer.
namespace KefuSync.Ot;

/// <summary>The kind of one component of a <see cref="TextOperation"/>.</summary>
internal enum OtComponentKind
{
    /// <summary>Keep the next <see cref="OtComponent.Length"/> code units.</summary>
    Retain = 0,

    /// <summary>Insert <see cref="OtComponent.Text"/> at the current position.</summary>
    Insert = 1,

    /// <summary>Remove the next <see cref="OtComponent.Length"/> code units.</summary>
    Delete = 2,
}
