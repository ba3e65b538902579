package io.netplane.api.auth;

import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The bearer tokens and basic-auth users api-service accepts, from files and inline configuration. One
 * entry a line (files) or a comma-separated list (inline): {@code name:role:secret}, the secret either as
 * it is or as {@code {sha256}<64 hex>} of it. A file is read again when it changes, so a token can be added
 * or revoked without a restart (a broken edit keeps the previous entries and is logged).
 */
@ApplicationScoped
@Startup
public class Credentials {
    private static final Logger LOG = Logger.getLogger(Credentials.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.@-]*");
    private static final String SHA256 = "{sha256}";
    static final int MIN_TOKEN_LENGTH = 16;

    @ConfigProperty(name = "netplane.auth.tokens-file")
    Optional<Path> tokensFile;
    @ConfigProperty(name = "netplane.auth.tokens")
    Optional<List<String>> inlineTokens;
    @ConfigProperty(name = "netplane.auth.users-file")
    Optional<Path> usersFile;
    @ConfigProperty(name = "netplane.auth.users")
    Optional<List<String>> inlineUsers;

    private record Entry(String name, Role role, byte[] digest) {
    }

    private record Loaded(List<Entry> entries, FileTime modified) {
    }

    private final Map<String, Loaded> files = new HashMap<>();
    private volatile List<Entry> tokens = List.of();
    private volatile List<Entry> users = List.of();
    volatile long checkedAt;

    @PostConstruct
    void load() {
        // a broken file at startup stops the service: better than running with fewer credentials than meant
        tokensFile.ifPresent(f -> files.put(f.toString(), read(f, true)));
        usersFile.ifPresent(f -> files.put(f.toString(), read(f, false)));
        rebuild();
        if (tokens.isEmpty() && users.isEmpty()) {
            LOG.warn("no credentials configured (netplane.auth.tokens-file, netplane.auth.tokens, netplane.auth.users-file,"
                    + " netplane.auth.users): every call is refused with 401");
        }
    }

    public Optional<Grant> token(String presented) {
        refresh();
        return match(tokens, null, presented);
    }

    public Optional<Grant> user(String name, String password) {
        refresh();
        return match(users, name, password);
    }

    public boolean hasUsers() {
        return !users.isEmpty();
    }

    private static Optional<Grant> match(List<Entry> entries, String name, String secret) {
        byte[] digest = sha256(secret);
        Grant found = null;
        for (Entry e : entries) { // every entry is compared, so the time taken says nothing about which matched
            boolean same = MessageDigest.isEqual(e.digest(), digest) && (name == null || name.equals(e.name()));
            if (same && found == null) {
                found = new Grant(e.name(), e.role());
            }
        }
        return Optional.ofNullable(found);
    }

    /** At most every 2 s: reads a file again when its modification time changed. */
    private void refresh() {
        long now = System.currentTimeMillis();
        if (now - checkedAt < 2000) {
            return;
        }
        checkedAt = now;
        synchronized (this) {
            boolean changed = tokensFile.map(f -> reread(f, true)).orElse(false);
            changed |= usersFile.map(f -> reread(f, false)).orElse(false);
            if (changed) {
                rebuild();
            }
        }
    }

    private boolean reread(Path file, boolean token) {
        Loaded before = files.get(file.toString());
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            if (before != null && modified.equals(before.modified())) {
                return false;
            }
            files.put(file.toString(), read(file, token));
            LOG.infof("credentials file %s read again", file);
            return true;
        } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
            LOG.errorf("credentials file %s not read again, the previous entries stay: %s", file, e.getMessage());
            return false;
        }
    }

    private synchronized void rebuild() {
        List<Entry> t = new ArrayList<>();
        tokensFile.map(f -> files.get(f.toString())).ifPresent(l -> t.addAll(l.entries()));
        inlineTokens.ifPresent(list -> list.forEach(line -> t.add(parse(line, true, "netplane.auth.tokens"))));
        List<Entry> u = new ArrayList<>();
        usersFile.map(f -> files.get(f.toString())).ifPresent(l -> u.addAll(l.entries()));
        inlineUsers.ifPresent(list -> list.forEach(line -> u.add(parse(line, false, "netplane.auth.users"))));
        tokens = List.copyOf(t);
        users = List.copyOf(u);
    }

    private static Loaded read(Path file, boolean token) {
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            List<Entry> entries = new ArrayList<>();
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (!line.isEmpty() && !line.startsWith("#")) {
                    entries.add(parse(line, token, file + " line " + (i + 1)));
                }
            }
            return new Loaded(entries, modified);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read credentials file " + file + ": " + e.getMessage(), e);
        }
    }

    /** {@code name:role:secret}; the secret may contain ':' (passwords). */
    static Entry parse(String line, boolean token, String where) {
        String[] parts = line.strip().split(":", 3);
        if (parts.length < 3) {
            throw new IllegalArgumentException(where + ": expected name:role:secret");
        }
        String name = parts[0].strip();
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(where + ": invalid name \"" + name + "\" (letters, digits, _ . @ -)");
        }
        Role role = Role.of(parts[1].strip().toLowerCase(Locale.ROOT)).orElseThrow(() -> new IllegalArgumentException(
                where + ": unknown role \"" + parts[1].strip() + "\" (viewer, operator or admin)"));
        String secret = parts[2].strip();
        byte[] digest;
        if (secret.startsWith(SHA256)) {
            String hex = secret.substring(SHA256.length());
            if (!hex.matches("[0-9a-fA-F]{64}")) {
                throw new IllegalArgumentException(where + ": {sha256} must be followed by 64 hex digits");
            }
            digest = HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT));
        } else {
            if (token && secret.length() < MIN_TOKEN_LENGTH) {
                throw new IllegalArgumentException(where + ": a token needs at least " + MIN_TOKEN_LENGTH + " characters");
            }
            if (secret.isEmpty()) {
                throw new IllegalArgumentException(where + ": empty password");
            }
            digest = sha256(secret);
        }
        return new Entry(name, role, digest);
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
