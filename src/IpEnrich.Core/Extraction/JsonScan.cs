using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace IpEnrich.Core.Extraction;

/// <summary>
/// The two byte searches <see cref="JsonTokenReader"/> spends its time in, sixteen bytes at a time: where a string's
/// text stops (noting on the way whether it holds a digit or a colon, as every address does) and where whitespace ends. Hand-written rather than <c>IndexOfAny(SearchValues)</c>, whose set-up cost
/// per call outweighs the search for the short strings and indentation runs alerts are made of.
/// </summary>
internal static class JsonScan
{
    /// <summary>The index of the first quote, backslash or control byte at or after <paramref name="i"/>; the length when none.</summary>
    /// <param name="digitOrColon">Set when a byte before that index is an ASCII digit or a colon (left as it is otherwise).</param>
    public static int StringStop(ReadOnlySpan<byte> json, int i, ref bool digitOrColon)
    {
        ref var start = ref MemoryMarshal.GetReference(json);
        if (Vector128.IsHardwareAccelerated)
        {
            var quote = Vector128.Create((byte)'"');
            var backslash = Vector128.Create((byte)'\\');
            var lastControl = Vector128.Create((byte)0x1F);
            var zero = Vector128.Create((byte)'0');
            var colonAfterZero = Vector128.Create((byte)(':' - '0'));
            var digits = Vector128<byte>.Zero;
            for (; i <= json.Length - Vector128<byte>.Count; i += Vector128<byte>.Count)
            {
                var block = Vector128.LoadUnsafe(ref start, (nuint)i);
                var fromZero = block - zero;
                var blockDigits = Vector128.Equals(Vector128.Min(fromZero, colonAfterZero), fromZero);
                var stops = Vector128.Equals(block, quote) | Vector128.Equals(block, backslash)
                    | Vector128.Equals(Vector128.Min(block, lastControl), block);
                if (stops != Vector128<byte>.Zero)
                {
                    var stop = BitOperations.TrailingZeroCount(stops.ExtractMostSignificantBits());
                    var before = (digits.ExtractMostSignificantBits() != 0 ? 0xFFFFu : 0u)
                        | (blockDigits.ExtractMostSignificantBits() & ((1u << stop) - 1));
                    digitOrColon |= before != 0;
                    return i + stop;
                }

                digits |= blockDigits;
            }

            digitOrColon |= digits != Vector128<byte>.Zero;
        }

        for (; i < json.Length; i++)
        {
            var c = Unsafe.Add(ref start, i);
            if (c is (byte)'"' or (byte)'\\' or < 0x20)
            {
                return i;
            }

            digitOrColon |= (uint)(c - '0') <= ':' - '0';
        }

        return json.Length;
    }

    /// <summary>The index of the first byte at or after <paramref name="i"/> that is not JSON whitespace; the length when none.</summary>
    public static int PastWhitespace(ReadOnlySpan<byte> json, int i)
    {
        ref var start = ref MemoryMarshal.GetReference(json);
        if (Vector128.IsHardwareAccelerated)
        {
            for (; i <= json.Length - Vector128<byte>.Count; i += Vector128<byte>.Count)
            {
                var block = Vector128.LoadUnsafe(ref start, (nuint)i);
                var blank = Vector128.Equals(block, Vector128.Create((byte)' ')) | Vector128.Equals(block, Vector128.Create((byte)'\n'))
                    | Vector128.Equals(block, Vector128.Create((byte)'\r')) | Vector128.Equals(block, Vector128.Create((byte)'\t'));
                var other = ~blank.ExtractMostSignificantBits() & 0xFFFF;
                if (other != 0)
                {
                    return i + BitOperations.TrailingZeroCount(other);
                }
            }
        }

        for (; i < json.Length; i++)
        {
            if (Unsafe.Add(ref start, i) is not ((byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t'))
            {
                return i;
            }
        }

        return json.Length;
    }
}
