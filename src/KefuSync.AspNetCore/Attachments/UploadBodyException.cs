namespace KefuSync.Attachments;

/// <summary>Reading the request body failed (the client went away, or sent a broken chunked body): nothing is stored.</summary>
internal sealed class UploadBodyException(Exception inner) : IOException("The upload's body could not be read.", inner);
