namespace KefuSync.Widget;

/// <summary>The resolved widget: where its script is and the <c>data-</c> attributes that configure it.</summary>
/// <param name="ScriptUrl">The versioned script URL, including PathBase.</param>
/// <param name="Attributes">Attribute name (e.g. <c>data-kefu-endpoint</c>) to value, unencoded.</param>
internal sealed record KefuWidgetDescriptor(string ScriptUrl, IReadOnlyList<KeyValuePair<string, string>> Attributes);
