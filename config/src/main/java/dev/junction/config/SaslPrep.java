package dev.junction.config;

import java.text.Normalizer;

/**
 * SASLprep (RFC 4013), the profile of stringprep (RFC 3454) that SCRAM applies to passwords before salting them
 * (RFC 5802 section 2.2, "Normalize"), so that a password typed as different but equivalent Unicode sequences
 * gives the same secret. Steps, in RFC 4013's order:
 * <ol>
 *   <li>map: non-ASCII spaces (table C.1.2) to U+0020, "commonly mapped to nothing" characters (B.1) removed
 *       (section 2.1);</li>
 *   <li>normalize with Unicode NFKC (section 2.2);</li>
 *   <li>prohibit: non-ASCII spaces, ASCII and non-ASCII controls, private use, non-characters, surrogates,
 *       characters inappropriate for plain text or canonical representation, display-changing and deprecated
 *       characters, tagging characters (tables C.1.2 and C.2.1 to C.9; section 2.3);</li>
 *   <li>bidirectional rule of RFC 3454 section 6 (section 2.4): a string with right-to-left characters holds no
 *       left-to-right ones and begins and ends with a right-to-left character.</li>
 * </ol>
 * Unassigned code points are allowed, as for "queries" (section 2.5): the JDK's Unicode is newer than stringprep's
 * 3.2, so its notion of unassigned would refuse characters assigned since. ASCII strings without control
 * characters come out unchanged.
 */
public final class SaslPrep {
    private SaslPrep() {
    }

    /** {@code s} prepared, or null when the result holds a prohibited character or breaks the bidirectional rule. */
    public static String prepare(String s) {
        if (plainAscii(s)) {
            return s; // the common case: nothing maps, NFKC leaves it, nothing is prohibited
        }
        StringBuilder mapped = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> {
            if (nonAsciiSpace(cp)) {
                mapped.append(' ');
            } else if (!mappedToNothing(cp)) {
                mapped.appendCodePoint(cp);
            }
        });
        String normalized = Normalizer.normalize(mapped, Normalizer.Form.NFKC);
        boolean rtl = false;
        boolean ltr = false;
        int[] cps = normalized.codePoints().toArray();
        for (int cp : cps) {
            if (prohibited(cp)) {
                return null;
            }
            byte d = Character.getDirectionality(cp);
            rtl |= d == Character.DIRECTIONALITY_RIGHT_TO_LEFT || d == Character.DIRECTIONALITY_RIGHT_TO_LEFT_ARABIC;
            ltr |= d == Character.DIRECTIONALITY_LEFT_TO_RIGHT;
        }
        if (rtl && (ltr || !rightToLeft(cps[0]) || !rightToLeft(cps[cps.length - 1]))) {
            return null;
        }
        return normalized;
    }

    private static boolean plainAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                return false;
            }
        }
        return true;
    }

    private static boolean rightToLeft(int cp) {
        byte d = Character.getDirectionality(cp);
        return d == Character.DIRECTIONALITY_RIGHT_TO_LEFT || d == Character.DIRECTIONALITY_RIGHT_TO_LEFT_ARABIC;
    }

    /** RFC 3454 table C.1.2. */
    private static boolean nonAsciiSpace(int cp) {
        return cp == 0x00A0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0x202F || cp == 0x205F
                || cp == 0x3000;
    }

    /** RFC 3454 table B.1. */
    private static boolean mappedToNothing(int cp) {
        return cp == 0x00AD || cp == 0x034F || cp == 0x1806 || (cp >= 0x180B && cp <= 0x180D)
                || (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF;
    }

    /** RFC 4013 section 2.3: tables C.1.2, C.2.1, C.2.2, C.3, C.4, C.5, C.6, C.7, C.8 and C.9 of RFC 3454. */
    private static boolean prohibited(int cp) {
        return nonAsciiSpace(cp)
                || cp < 0x20 || cp == 0x7F                                                   // C.2.1
                || (cp >= 0x80 && cp <= 0x9F) || cp == 0x06DD || cp == 0x070F || cp == 0x180E // C.2.2
                || cp == 0x200C || cp == 0x200D || cp == 0x2028 || cp == 0x2029
                || (cp >= 0x2060 && cp <= 0x2063) || (cp >= 0x206A && cp <= 0x206F) || cp == 0xFEFF
                || (cp >= 0xFFF9 && cp <= 0xFFFC) || (cp >= 0x1D173 && cp <= 0x1D17A)
                || (cp >= 0xE000 && cp <= 0xF8FF) || cp >= 0xF0000                          // C.3 (planes 15, 16)
                || (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE                  // C.4
                || (cp >= 0xD800 && cp <= 0xDFFF)                                             // C.5
                || (cp >= 0xFFF9 && cp <= 0xFFFD)                                             // C.6
                || (cp >= 0x2FF0 && cp <= 0x2FFB)                                             // C.7
                || cp == 0x0340 || cp == 0x0341 || cp == 0x200E || cp == 0x200F               // C.8
                || (cp >= 0x202A && cp <= 0x202E)
                || cp == 0xE0001 || (cp >= 0xE0020 && cp <= 0xE007F);                          // C.9
    }
}
