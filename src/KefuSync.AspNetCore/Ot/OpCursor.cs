// Invariants: walks the components of one operation in order, possibly consuming a component in several pieces.
// Remaining is always > 0 while !Done. TakeText returns the whole insert string without copying when a component is
// taken in one piece, and a substring otherwise.
namespace KefuSync.Ot;

/// <summary>A position inside the component list of an operation, for compose and transform.</summary>
internal ref struct OpCursor
{
    private readonly ReadOnlySpan<OtComponent> _components;
    private int _index;
    private int _offset;

    public OpCursor(ReadOnlySpan<OtComponent> components)
    {
        _components = components;
    }

    public readonly bool Done => _index >= _components.Length;

    public readonly OtComponentKind Kind => _components[_index].Kind;

    public readonly int Remaining => _components[_index].Length - _offset;

    /// <summary>Consumes <paramref name="count"/> code units of the current component.</summary>
    public void Skip(int count)
    {
        _offset += count;
        if (_offset == _components[_index].Length)
        {
            _index++;
            _offset = 0;
        }
    }

    /// <summary>Consumes <paramref name="count"/> code units of the current insert and returns them.</summary>
    public string TakeText(int count)
    {
        var text = _components[_index].Text!;
        var piece = _offset == 0 && count == text.Length ? text : text.Substring(_offset, count);
        Skip(count);
        return piece;
    }
}
