using System.Globalization;
using IpEnrich.Emulator.Faults;
using IpEnrich.Emulator.Tokens;

namespace IpEnrich.Emulator.Api;

/// <summary>Admits a call against a per-application budget; <paramref name="retryAfter"/> says when a refused one may retry.</summary>
public delegate bool CallAdmission(AccessToken token, out TimeSpan retryAfter);

/// <summary>Why the gate refused a call; each API words the answer in its own error envelope.</summary>
public enum GateRefusal
{
    None,
    Unauthorized,
    Forbidden,
    Throttled,
    ServerError,
}

/// <summary>The gate's verdict: the caller's token when known, and the refusal with its Retry-After or status.</summary>
public sealed record GateResult(AccessToken? Token, GateRefusal Refusal, TimeSpan RetryAfter = default, int Status = 200);

/// <summary>
/// The checks every emulated API makes before its own work, in the live services' order: bearer token (signature,
/// audience, lifetime, the reject-tokens fault), application role, call quota or a forced 429, injected latency, and
/// injected server errors. Shared so the IP statistics API and advanced hunting cannot drift apart.
/// </summary>
public sealed class ApiGate(TokenIssuer tokens, FaultInjector faults, TimeProvider time)
{
    public async Task<GateResult> CheckAsync(HttpContext context, IReadOnlyList<string> audiences, string role, CallAdmission admit)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(admit);
        var token = await AuthenticateAsync(context, audiences);
        if (token is null || faults.RejectsTokens)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return new GateResult(null, GateRefusal.Unauthorized, Status: 401);
        }

        if (!token.Roles.Contains(role, StringComparer.Ordinal))
        {
            return new GateResult(token, GateRefusal.Forbidden, Status: 403);
        }

        if (faults.IsForcedThrottle(out var retryAfter) || !admit(token, out retryAfter))
        {
            context.Response.Headers.RetryAfter = ((int)retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            return new GateResult(token, GateRefusal.Throttled, retryAfter, 429);
        }

        if (faults.Latency > TimeSpan.Zero)
        {
            await Task.Delay(faults.Latency, time, context.RequestAborted);
        }

        return faults.NextServerError() is { } status
            ? new GateResult(token, GateRefusal.ServerError, Status: status)
            : new GateResult(token, GateRefusal.None);
    }

    private async Task<AccessToken?> AuthenticateAsync(HttpContext context, IReadOnlyList<string> audiences)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return await tokens.ValidateAsync(header["Bearer ".Length..].Trim(), audiences);
    }
}
