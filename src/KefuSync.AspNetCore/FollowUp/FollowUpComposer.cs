using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using KefuSync.Conversations;
using KefuSync.Security;
using Microsoft.Extensions.Options;

namespace KefuSync.FollowUp;

/// <summary>
/// Writes the emails: plain text and HTML (every piece of user text HTML-encoded), in the visitor's language, with the
/// magic link (docs/security.md, "Email links") and, for visitors, the unsubscribe link and its RFC 8058 headers.
/// </summary>
internal sealed class FollowUpComposer(EmailLinkTokens links, IOptionsMonitor<KefuSyncOptions> options, TimeProvider time)
{
    // Encodes markup (<, >, &, quotes) but leaves Chinese as text: a mail client's search and preview read it as is.
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All);

    /// <summary>One agent message to show.</summary>
    public readonly record struct Line(string Name, string Text);

    /// <summary>One message of a transcript: who, when (Unix ms), the text as last edited, and the name of its file, if any.</summary>
    public readonly record struct TranscriptLine(string Name, string Role, long At, string Text, string? File);

    /// <summary>
    /// The Message-ID of email <paramref name="n"/> of a stream: the same on every attempt and node, so a copy sent again
    /// after a crash is recognisable. Conversation keys are base64url, which is valid in a Message-ID.
    /// </summary>
    public string MessageId(string conversationKey, string stream, int n)
        => $"kefu.{stream}.{n.ToString(CultureInfo.InvariantCulture)}.{conversationKey}@{Domain()}";

    public static string Language(ConversationSummary summary)
    {
        var lang = summary.Lang ?? (summary.Fields?.TryGetValue("lang", out var field) == true ? field : null);
        return lang is not null && lang.StartsWith("zh", StringComparison.OrdinalIgnoreCase) ? "zh-CN" : "en";
    }

    /// <summary>The follow-up of unread agent replies, or null when the conversation has no visitor identity to link to.</summary>
    public KefuEmailMessage? Visitor(ConversationSummary summary, string to, int n, IReadOnlyList<Line> lines)
    {
        if (summary.VisitorId is not { Length: > 0 } visitorId || lines.Count == 0)
        {
            return null;
        }

        var identity = new VisitorIdentity(visitorId, summary.VisitorName ?? "", summary.Fields ?? new Dictionary<string, string>(StringComparer.Ordinal), time.GetUtcNow().ToUnixTimeSeconds(), Generated: summary.VisitorGen is not null);
        if (ConversationKeys.ForVisitor(identity.Id) != summary.Key)
        {
            return null; // a conversation not started by this visitor id (a bot's): no link can open it
        }

        var email = options.CurrentValue.Email;
        var site = options.CurrentValue.SiteName;
        var zh = Language(summary) == "zh-CN";
        var magic = Link("link", links.IssueMagic(identity));
        var unsubscribe = Link("unsubscribe", links.IssueUnsubscribe(summary.Key));
        var hours = ((int)Math.Round(email.LinkLifetime.TotalHours)).ToString(CultureInfo.InvariantCulture);
        var who = lines[^1].Name;
        var subject = zh ? $"{site}：{who} 回复了您的消息" : $"{site}: {who} replied to your message";
        var greeting = string.IsNullOrWhiteSpace(summary.VisitorName) ? (zh ? "您好，" : "Hello,") : (zh ? $"{summary.VisitorName}，您好：" : $"Hello {summary.VisitorName},");
        var intro = zh ? $"{site} 的客服回复了您：" : $"{site} replied to you:";
        var action = zh ? "继续对话" : "Continue the conversation";
        var note = zh ? $"此链接在 {hours} 小时内有效，只打开这一段对话。" : $"The link opens this conversation only and works for {hours} hours.";
        var unsubText = zh ? "不想再收到这些邮件？退订" : "Don't want these emails? Unsubscribe";

        var text = new StringBuilder();
        text.Append(greeting).Append("\n\n").Append(intro).Append("\n\n");
        foreach (var line in lines)
        {
            text.Append(line.Name).Append(":\n");
            foreach (var part in line.Text.Split('\n'))
            {
                text.Append("  ").Append(part).Append('\n');
            }

            text.Append('\n');
        }

        text.Append(action).Append(": ").Append(magic).Append('\n').Append(note).Append("\n\n-- \n").Append(unsubText).Append(": ").Append(unsubscribe).Append('\n');

        var h = Html;
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"").Append(zh ? "zh-CN" : "en").Append("\"><body style=\"font-family:system-ui,sans-serif;color:#1c2128\">");
        html.Append("<p>").Append(h.Encode(greeting)).Append("</p><p>").Append(h.Encode(intro)).Append("</p>");
        foreach (var line in lines)
        {
            html.Append("<p style=\"margin:0 0 12px;padding:8px 12px;border-left:3px solid #1f6feb;background:#f2f4f7\"><b>").Append(h.Encode(line.Name)).Append("</b><br>")
                .Append(h.Encode(line.Text).Replace("&#xA;", "<br>", StringComparison.Ordinal)).Append("</p>");
        }

        html.Append("<p><a href=\"").Append(h.Encode(magic)).Append("\" style=\"display:inline-block;padding:10px 16px;background:#1f6feb;color:#fff;border-radius:8px;text-decoration:none\">").Append(h.Encode(action)).Append("</a></p>");
        html.Append("<p style=\"color:#656d76;font-size:13px\">").Append(h.Encode(note)).Append("</p>");
        html.Append("<p style=\"color:#656d76;font-size:12px\"><a href=\"").Append(h.Encode(unsubscribe)).Append("\">").Append(h.Encode(unsubText)).Append("</a></p></body></html>");

        return new KefuEmailMessage
        {
            MessageId = MessageId(summary.Key, EmailState.VisitorStream, n),
            From = email.From,
            To = to,
            Subject = subject,
            TextBody = text.ToString(),
            HtmlBody = html.ToString(),
            Language = zh ? "zh-CN" : "en",
            Headers = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["List-Unsubscribe"] = "<" + unsubscribe + ">",
                ["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click",
                ["Auto-Submitted"] = "auto-generated",
            },
        };
    }

    /// <summary>
    /// The notification to an agent address: who is waiting, their messages, the email they left (if any) and the link
    /// to the conversation in the console (which asks the agent to sign in). In English and Chinese: the options know no
    /// agent's language. Null when there is nothing to show.
    /// </summary>
    public KefuEmailMessage? Agent(ConversationSummary summary, string to, string stream, int n, IReadOnlyList<Line> lines)
    {
        if (lines.Count == 0)
        {
            return null;
        }

        var site = options.CurrentValue.SiteName;
        var who = string.IsNullOrWhiteSpace(summary.VisitorName) ? "A visitor" : summary.VisitorName!;
        var whoZh = string.IsNullOrWhiteSpace(summary.VisitorName) ? "一位访客" : summary.VisitorName!;
        var console = options.CurrentValue.Email.LinkBaseUrl.TrimEnd('/') + "/console#c=" + Uri.EscapeDataString(summary.Key);
        var subject = $"{site}: {who} is waiting for an answer / {whoZh} 正在等待回复";
        var intro = $"{who} wrote while no agent was online. / {whoZh} 在无客服在线时留言。";
        var contact = summary.Email is { } address ? $"Email / 邮箱: {address}" : null;
        var action = "Answer in the console / 在客服控制台回复";

        var text = new StringBuilder();
        text.Append(intro).Append("\n\n");
        foreach (var line in lines)
        {
            foreach (var part in line.Text.Split('\n'))
            {
                text.Append("  ").Append(part).Append('\n');
            }

            text.Append('\n');
        }

        if (contact is not null)
        {
            text.Append(contact).Append("\n\n");
        }

        text.Append(action).Append(": ").Append(console).Append('\n');

        var h = Html;
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html><body style=\"font-family:system-ui,sans-serif;color:#1c2128\">");
        html.Append("<p>").Append(h.Encode(intro)).Append("</p>");
        foreach (var line in lines)
        {
            html.Append("<p style=\"margin:0 0 12px;padding:8px 12px;border-left:3px solid #d0d7de;background:#f2f4f7\">")
                .Append(h.Encode(line.Text).Replace("&#xA;", "<br>", StringComparison.Ordinal)).Append("</p>");
        }

        if (contact is not null)
        {
            html.Append("<p>").Append(h.Encode(contact)).Append("</p>");
        }

        html.Append("<p><a href=\"").Append(h.Encode(console)).Append("\" style=\"display:inline-block;padding:10px 16px;background:#1f6feb;color:#fff;border-radius:8px;text-decoration:none\">").Append(h.Encode(action)).Append("</a></p></body></html>");

        return new KefuEmailMessage
        {
            MessageId = MessageId(summary.Key, stream, n),
            From = options.CurrentValue.Email.From,
            To = to,
            Subject = subject,
            TextBody = text.ToString(),
            HtmlBody = html.ToString(),
            Language = "en",
            Headers = new Dictionary<string, string>(StringComparer.Ordinal) { ["Auto-Submitted"] = "auto-generated" },
        };
    }

    /// <summary>
    /// The transcript the visitor asked for, in the language of the request, to its address; null when the conversation
    /// has no visitor identity (no unsubscribe could name it) or nothing to show. Times are UTC: the server does not
    /// know the visitor's time zone.
    /// </summary>
    public KefuEmailMessage? Transcript(ConversationSummary summary, string to, int n, IReadOnlyList<TranscriptLine> lines, bool more)
    {
        if (summary.VisitorId is not { Length: > 0 } visitorId || ConversationKeys.ForVisitor(visitorId) != summary.Key || lines.Count == 0)
        {
            return null;
        }

        var site = options.CurrentValue.SiteName;
        var zh = (summary.TranscriptLang ?? Language(summary)) == "zh-CN";
        var unsubscribe = Link("unsubscribe", links.IssueUnsubscribe(summary.Key));
        var subject = zh ? $"{site}：您的对话记录" : $"{site}: your conversation transcript";
        var intro = zh ? $"这是您与 {site} 的对话记录（时间为 UTC）：" : $"Here is your conversation with {site} (times in UTC):";
        var omitted = zh ? "（更早的消息未列出）" : "(earlier messages are not listed)";
        var you = zh ? "您" : "You";
        var filePrefix = zh ? "文件：" : "File: ";
        var unsubText = zh ? "不想再收到这些邮件？退订" : "Don't want these emails? Unsubscribe";
        string Who(TranscriptLine l) => l.Role == "visitor" ? you : l.Name;
        static string When(TranscriptLine l) => DateTimeOffset.FromUnixTimeMilliseconds(l.At).UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

        var text = new StringBuilder();
        text.Append(intro).Append("\n\n");
        if (more)
        {
            text.Append(omitted).Append("\n\n");
        }

        foreach (var line in lines)
        {
            text.Append('[').Append(When(line)).Append("] ").Append(Who(line)).Append(":\n");
            if (line.File is { } file)
            {
                text.Append("  ").Append(filePrefix).Append(file).Append('\n');
            }

            foreach (var part in line.Text.Split('\n'))
            {
                if (part.Length > 0 || line.File is null)
                {
                    text.Append("  ").Append(part).Append('\n');
                }
            }

            text.Append('\n');
        }

        text.Append("-- \n").Append(unsubText).Append(": ").Append(unsubscribe).Append('\n');

        var h = Html;
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"").Append(zh ? "zh-CN" : "en").Append("\"><body style=\"font-family:system-ui,sans-serif;color:#1c2128\">");
        html.Append("<p>").Append(h.Encode(intro)).Append("</p>");
        if (more)
        {
            html.Append("<p style=\"color:#656d76\">").Append(h.Encode(omitted)).Append("</p>");
        }

        foreach (var line in lines)
        {
            html.Append("<p style=\"margin:0 0 10px\"><b>").Append(h.Encode(Who(line))).Append("</b> <span style=\"color:#656d76;font-size:12px\">").Append(h.Encode(When(line))).Append("</span><br>");
            if (line.File is { } file)
            {
                html.Append("📎 ").Append(h.Encode(file)).Append("<br>");
            }

            html.Append(h.Encode(line.Text).Replace("&#xA;", "<br>", StringComparison.Ordinal)).Append("</p>");
        }

        html.Append("<p style=\"color:#656d76;font-size:12px\"><a href=\"").Append(h.Encode(unsubscribe)).Append("\">").Append(h.Encode(unsubText)).Append("</a></p></body></html>");

        return new KefuEmailMessage
        {
            MessageId = MessageId(summary.Key, EmailState.TranscriptStream, n),
            From = options.CurrentValue.Email.From,
            To = to,
            Subject = subject,
            TextBody = text.ToString(),
            HtmlBody = html.ToString(),
            Language = zh ? "zh-CN" : "en",
            Headers = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["List-Unsubscribe"] = "<" + unsubscribe + ">",
                ["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click",
                ["Auto-Submitted"] = "auto-replied",
            },
        };
    }

    /// <summary>An absolute link under <see cref="KefuEmailOptions.LinkBaseUrl"/> (never the request's Host) with the token as <c>t</c>.</summary>
    private string Link(string path, string token)
        => options.CurrentValue.Email.LinkBaseUrl.TrimEnd('/') + "/" + path + "?t=" + Uri.EscapeDataString(token);

    private string Domain() => Uri.TryCreate(options.CurrentValue.Email.LinkBaseUrl, UriKind.Absolute, out var uri) ? uri.IdnHost : "kefusync.invalid";
}
