using IpEnrich.Worker.Backlog;

namespace IpEnrich.Worker.Tests.Backlog;

public sealed class AlertReferenceTests
{
    [Theory]
    [InlineData(null)]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0xff, 0x00, 0x0a, 0x41 })]
    public void A_reference_survives_its_stored_form_whatever_the_key(byte[]? key)
    {
        var reference = new AlertReference("alerts.v2", 11, 9_876_543_210, key);

        Assert.Equal(reference, AlertReference.Decode(reference.Encode()), AlertReferenceComparer.Instance);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(new byte[] { 0x7e, 0x41 })]
    public void The_triage_it_went_out_with_survives_too(byte[]? key)
    {
        var reference = new AlertReference("alerts", 2, 7, key) { Triage = new IpEnrich.Core.Enrichment.AlertTriage(IpEnrich.Core.Enrichment.Rarity.Uncommon, 3) };
        var text = reference.Encode();

        Assert.EndsWith("\n~uncommon,3", text, StringComparison.Ordinal);
        Assert.Equal(reference, AlertReference.Decode(text), AlertReferenceComparer.Instance);
        Assert.Null(AlertReference.Decode("alerts\n2\n7\n~often,3"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("alerts\n1")]
    [InlineData("alerts\nx\n3")]
    [InlineData("alerts\n1\n3\n***")]
    public void Text_this_version_did_not_write_is_ignored(string text) => Assert.Null(AlertReference.Decode(text));
}
