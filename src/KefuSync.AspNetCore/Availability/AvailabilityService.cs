using KefuSync.Email;
using KefuSync.Protocol;
using KefuSync.Security;
using Microsoft.Extensions.Options;

namespace KefuSync.Availability;

/// <summary>
/// What a visitor's widget is told about availability (the <c>avail</c> object, docs/protocol.md §2.4): business hours now
/// and when agents are back, what the owner chose for outside hours, and whether the offline form asks this visitor for an
/// email. Who is online right now is not in it: the widget sees the agents' <c>site</c> presence live.
/// </summary>
internal sealed class AvailabilityService(BusinessHours hours, IOptionsMonitor<KefuSyncOptions> options)
{
    /// <summary>The field of a host-signed identity that holds the visitor's email (<c>visitor-field-email</c>).</summary>
    public const string EmailField = "email";

    public AvailabilityView For(VisitorIdentity? visitor)
    {
        var status = hours.Now();
        var schedule = hours.Schedule;
        var ask = options.CurrentValue.Widget.OfflineEmail switch
        {
            KefuOfflineEmail.Required => "required",
            KefuOfflineEmail.Off => "off",
            _ => "optional",
        };
        if (SignedEmail(visitor) is not null)
        {
            ask = "off"; // the host knows them: never ask for what it signed
        }

        return new AvailabilityView(
            status.Open,
            status.BackAt?.ToUnixTimeMilliseconds(),
            status.NextChange?.ToUnixTimeMilliseconds(),
            HoursJson.OutsideName(schedule.OutsideHours),
            ask);
    }

    /// <summary>The email a host signed into the visitor's identity, when it is a valid address.</summary>
    public static string? SignedEmail(VisitorIdentity? visitor)
        => visitor?.Fields.TryGetValue(EmailField, out var email) == true && EmailAddress.IsValid(email) ? email : null;
}
