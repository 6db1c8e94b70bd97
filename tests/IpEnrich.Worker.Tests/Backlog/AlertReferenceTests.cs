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
    [InlineData("")]
    [InlineData("alerts\n1")]
    [InlineData("alerts\nx\n3")]
    [InlineData("alerts\n1\n3\n***")]
    public void Text_this_version_did_not_write_is_ignored(string text) => Assert.Null(AlertReference.Decode(text));
}
