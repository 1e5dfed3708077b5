namespace KefuSync;

/// <summary>Defaults for the visitor widget; <c>&lt;kefu-widget /&gt;</c> attributes override them per page.</summary>
public sealed class KefuWidgetOptions
{
    /// <summary><c>right</c> or <c>left</c> (bottom corner). Default <c>right</c>.</summary>
    public string Position { get; set; } = "right";

    /// <summary>Accent colour, a CSS hex colour such as <c>#1f6feb</c>.</summary>
    public string Color { get; set; } = "#1f6feb";

    /// <summary>Language: <c>auto</c> (from the page, then the browser), <c>zh-CN</c> or <c>en</c>. Default <c>auto</c>.</summary>
    public string Language { get; set; } = "auto";

    /// <summary>Title of the chat window; empty uses the localized default.</summary>
    public string Title { get; set; } = "";

    /// <summary>
    /// Whether the widget asks for an email when no agent is available (outside business hours, or nobody online), so the
    /// answer reaches a visitor who leaves. Default <see cref="KefuOfflineEmail.Optional"/>. A visitor whose host-signed
    /// identity carries an email (the field <c>email</c>: <c>visitor-field-email</c> on the tag) is never asked.
    /// </summary>
    public KefuOfflineEmail OfflineEmail { get; set; } = KefuOfflineEmail.Optional;
}
