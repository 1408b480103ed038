package io.dentrywatch.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dentrywatch.bpf.BpfObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The BTF of an object dentry-bpf ships, as {@code bpftool btf dump file} prints it: what the layout
 * tests check Java's offsets and slots against, so the C and the Java side cannot drift apart unnoticed.
 * Without bpftool the test is skipped (failed under {@code CI=true}).
 */
public final class ShippedBtf {

    private static final Path BPFTOOL = Path.of("/usr/sbin/bpftool");
    private static final Pattern TYPE = Pattern.compile("^\\[(\\d+)] (\\w+) '([^']*)'(.*)$");
    private static final Pattern MEMBER = Pattern.compile("^\\s+'([^']*)' (.*)$");
    private static final Pattern SECINFO = Pattern.compile("^\\s+(type_id=\\d+ offset=\\d+ size=\\d+) \\(\\w+ '([^']*)'\\)$");
    private static final Pattern ATTRIBUTE = Pattern.compile("(\\w+)=([^\\s,]+)");

    /** One type; its members are a struct's fields, an enum's values or a data section's variables, by name. */
    public record Type(int id, String kind, String name, Map<String, String> attributes,
                       Map<String, Map<String, String>> members) {

        /** An attribute of the type's line ({@code size}, {@code type_id}, {@code nr_elems}...) as a number. */
        public long number(String attribute) {
            String value = attributes.get(attribute);
            assertNotNull(value, kind + " '" + name + "' has no " + attribute + ": " + attributes);
            return Long.parseLong(value);
        }

        /** A member's attribute ({@code bits_offset}, {@code type_id}, {@code val}...) as a number. */
        public long number(String member, String attribute) {
            Map<String, String> m = members.get(member);
            assertNotNull(m, kind + " '" + name + "' has no member " + member + ": " + members.keySet());
            assertNotNull(m.get(attribute), member + " of '" + name + "' has no " + attribute + ": " + m);
            return Long.parseLong(m.get(attribute));
        }

        /** A struct member's byte offset. */
        public long offset(String member) {
            return number(member, "bits_offset") / 8;
        }
    }

    private final String object;
    private final String text;
    private final Map<Integer, Type> types;

    private ShippedBtf(String object, String text, Map<Integer, Type> types) {
        this.object = object;
        this.text = text;
        this.types = types;
    }

    /** Dumps the BTF of {@code object}, a resource of dentry-bpf ({@code dentry.bpf.o}...). */
    public static ShippedBtf of(String object) throws IOException, InterruptedException {
        KernelTestSupport.require(Files.isExecutable(BPFTOOL), "bpftool is not installed (apt-get install bpftool)");
        Path file = Files.createTempFile(object, ".o");
        try {
            try (InputStream in = bpfResource(object)) {
                assertNotNull(in, object + " is in dentry-bpf");
                Files.write(file, in.readAllBytes());
            }
            Process p = new ProcessBuilder(BPFTOOL.toString(), "btf", "dump", "file", file.toString())
                    .redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(1, TimeUnit.MINUTES) && p.exitValue() == 0, "bpftool btf dump: " + text);
            return new ShippedBtf(object, text, parse(text));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * A resource of dentry-bpf's package: on the module path it is encapsulated in io.dentrywatch.bpf, so
     * it is read with the module's reader there, and through the class loader on the class path.
     */
    public static InputStream bpfResource(String name) throws IOException {
        Module bpf = BpfObject.class.getModule();
        if (!bpf.isNamed()) {
            return BpfObject.class.getResourceAsStream(name);
        }
        ModuleReference reference = bpf.getLayer().configuration().findModule(bpf.getName()).orElseThrow().reference();
        try (ModuleReader reader = reference.open()) {
            Optional<InputStream> in = reader.open(BpfObject.class.getPackageName().replace('.', '/') + "/" + name);
            return in.isEmpty() ? null : new ByteArrayInputStream(in.get().readAllBytes());
        }
    }

    private static Map<Integer, Type> parse(String text) {
        Map<Integer, Type> types = new HashMap<>();
        Type current = null;
        for (String line : text.split("\n")) {
            Matcher t = TYPE.matcher(line);
            Matcher m = MEMBER.matcher(line);
            Matcher v = SECINFO.matcher(line);
            if (t.matches()) {
                current = new Type(Integer.parseInt(t.group(1)), t.group(2), t.group(3), attributes(t.group(4)),
                        new LinkedHashMap<>());
                types.put(current.id(), current);
            } else if (current != null && m.matches()) {
                current.members().put(m.group(1), attributes(m.group(2)));
            } else if (current != null && v.matches()) {
                current.members().put(v.group(2), attributes(v.group(1)));
            }
        }
        return types;
    }

    private static Map<String, String> attributes(String text) {
        Map<String, String> attributes = new LinkedHashMap<>();
        ATTRIBUTE.matcher(text).results().forEach(r -> attributes.put(r.group(1), r.group(2)));
        return attributes;
    }

    /** The type of {@code kind} named {@code name} ({@code STRUCT}, {@code ENUM}, {@code VAR}, {@code DATASEC}...). */
    public Type named(String kind, String name) {
        List<Type> found = types.values().stream().filter(t -> t.kind().equals(kind) && t.name().equals(name)).toList();
        if (found.size() != 1) {
            throw new AssertionError(found.size() + " " + kind + " '" + name + "' in the BTF of " + object + ":\n" + text);
        }
        return found.get(0);
    }

    /** The type {@code id} refers to, past {@code const}, {@code volatile} and typedefs. */
    public Type resolve(long id) {
        Type type = types.get((int) id);
        assertNotNull(type, "type " + id + " in the BTF of " + object);
        return switch (type.kind()) {
            case "CONST", "VOLATILE", "TYPEDEF", "RESTRICT" -> resolve(type.number("type_id"));
            default -> type;
        };
    }

    /** An enum's values by name, in declaration order. */
    public Map<String, Long> enumerators(String name) {
        Map<String, Long> values = new LinkedHashMap<>();
        named("ENUM", name).members().forEach((enumerator, attributes) -> values.put(enumerator, Long.parseLong(attributes.get("val"))));
        return values;
    }

    /** The byte offsets of a struct's members, in declaration order. */
    public Map<String, Long> offsets(Type struct) {
        Map<String, Long> offsets = new LinkedHashMap<>();
        struct.members().keySet().forEach(member -> offsets.put(member, struct.offset(member)));
        return offsets;
    }

    /** The element count of a struct member that is an array. */
    public long arrayLength(Type struct, String member) {
        Type array = resolve(struct.number(member, "type_id"));
        assertEquals("ARRAY", array.kind(), member + " of '" + struct.name() + "'");
        return array.number("nr_elems");
    }
}
