namespace KefuSync.Attachments;

/// <summary>The body of <c>POST {prefix}/files/{scope}/links</c>: the attachment ids to sign URLs for.</summary>
internal sealed record LinksRequest(IReadOnlyList<string>? Ids);
