package io.netplane.api.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The credentials formats, and a tokens file read again when it changes. */
class CredentialsTest {
    @TempDir
    Path dir;

    private static Credentials credentials(Path tokens, List<String> inlineUsers) {
        Credentials c = new Credentials();
        c.tokensFile = Optional.ofNullable(tokens);
        c.inlineTokens = Optional.empty();
        c.usersFile = Optional.empty();
        c.inlineUsers = Optional.ofNullable(inlineUsers);
        c.load();
        return c;
    }

    @Test
    void fileAndInlineEntriesInBothSecretForms() throws Exception {
        String hashed = HexFormat.of().formatHex(Credentials.sha256("panel-token-0123456789"));
        Path file = Files.writeString(dir.resolve("tokens"), """
                # comment
                ops:operator:ops-token-0123456789abcdef

                panel:VIEWER:{sha256}%s
                """.formatted(hashed));
        Credentials c = credentials(file, List.of("bob:admin:b:o:b"));
        assertEquals(Optional.of(new Grant("ops", Role.OPERATOR)), c.token("ops-token-0123456789abcdef"));
        assertEquals(Optional.of(new Grant("panel", Role.VIEWER)), c.token("panel-token-0123456789"));
        assertEquals(Optional.empty(), c.token("{sha256}" + hashed), "the stored hash is not itself a token");
        assertEquals(Optional.empty(), c.token("ops-token-0123456789abcdeX"));
        assertEquals(Optional.of(new Grant("bob", Role.ADMIN)), c.user("bob", "b:o:b"));
        assertEquals(Optional.empty(), c.user("ops", "ops-token-0123456789abcdef"), "tokens are no passwords");
    }

    @Test
    void brokenEntriesAreRefusedWithWhereAndWhy() throws Exception {
        Path file = Files.writeString(dir.resolve("tokens"), "ops:operator:ops-token-0123456789abcdef\nops:root:x\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> credentials(file, null));
        assertEquals(file + " line 2: unknown role \"root\" (viewer, operator or admin)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Credentials.parse("a:viewer:short", true, "x"));
        assertThrows(IllegalArgumentException.class, () -> Credentials.parse("a b:viewer:long-enough-token-123", true, "x"));
        assertThrows(IllegalArgumentException.class, () -> Credentials.parse("a:viewer:{sha256}abc", false, "x"));
        assertThrows(IllegalArgumentException.class, () -> Credentials.parse("a:viewer", false, "x"));
    }

    @Test
    void aChangedFileIsReadAgainAndABrokenEditKeepsThePreviousEntries() throws Exception {
        Path file = Files.writeString(dir.resolve("tokens"), "a:admin:first-token-0123456789\n");
        Credentials c = credentials(file, null);
        assertTrue(c.token("first-token-0123456789").isPresent());

        Files.writeString(file, "a:admin:second-token-0123456789\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
        c.checkedAt = 0;
        assertEquals(Optional.empty(), c.token("first-token-0123456789"), "revoked by the edit");
        assertTrue(c.token("second-token-0123456789").isPresent());

        Files.writeString(file, "a:admin:tiny\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(10)));
        c.checkedAt = 0;
        assertTrue(c.token("second-token-0123456789").isPresent(), "a broken edit keeps what was there");
    }
}
