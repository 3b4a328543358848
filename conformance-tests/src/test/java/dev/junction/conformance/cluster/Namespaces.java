package dev.junction.conformance.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network of its own for each node of a cluster test, so that the network between nodes can be cut while every
 * process keeps running: one Linux network namespace per node, with two links to bridges in the test's namespace.
 * The nodes' Raft traffic runs on one bridge and the test's clients reach the nodes on the other, so cutting a node's
 * Raft link ({@link #cut}) splits the cluster and leaves the node serving its clients, as a real partition between
 * machines does. Needs root and iproute2; {@link #available} says whether this machine has them.
 *
 * <p>Names and subnets are drawn at random per instance, so that two runs on one machine never meet, and
 * {@link #close} removes every namespace, link and bridge it made.
 */
public final class Namespaces implements AutoCloseable {
    private final String tag = HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
    private final int net = 64 + ThreadLocalRandom.current().nextInt(180);
    private final int subnet = 2 * ThreadLocalRandom.current().nextInt(120);
    private final List<String> made = new ArrayList<>();
    private final Map<String, Integer> index = new HashMap<>();

    /** Whether namespaces can be made here: root, with iproute2. */
    public static boolean available() {
        try {
            Process p = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0
                    && "0".equals(new String(new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes(),
                    StandardCharsets.US_ASCII).trim());
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** One namespace per id, each linked to the Raft bridge and to the clients' bridge. */
    public Namespaces(String... ids) throws IOException, InterruptedException {
        try {
            bridge(raftBridge(), raftNet() + "254/24");
            bridge(clientBridge(), clientNet() + "254/24");
            for (int i = 0; i < ids.length; i++) {
                index.put(ids[i], i + 1);
                String ns = namespace(ids[i]);
                ip("netns", "add", ns);
                made.add("netns " + ns);
                ip("netns", "exec", ns, "ip", "link", "set", "lo", "up");
                link(ids[i], "r", raftBridge(), raftAddress(ids[i]));
                link(ids[i], "c", clientBridge(), clientAddress(ids[i]));
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The address node {@code id} binds its Raft ports to, on the Raft bridge. */
    public String raftAddress(String id) {
        return raftNet() + index.get(id);
    }

    /** The address the test's clients reach node {@code id} at, on the clients' bridge. */
    public String clientAddress(String id) {
        return clientNet() + index.get(id);
    }

    /** The command prefix that runs a program in node {@code id}'s namespace. */
    public List<String> launcher(String id) {
        return List.of("ip", "netns", "exec", namespace(id));
    }

    /** Takes node {@code id}'s Raft link down: it no longer reaches its peers, nor they it; its clients still do. */
    public void cut(String id) throws IOException, InterruptedException {
        ip("link", "set", veth(id, "r"), "down");
    }

    /** Brings the Raft link of node {@code id} back up. */
    public void heal(String id) throws IOException, InterruptedException {
        ip("link", "set", veth(id, "r"), "up");
    }

    private void bridge(String name, String address) throws IOException, InterruptedException {
        ip("link", "add", name, "type", "bridge");
        made.add("link " + name);
        ip("addr", "add", address, "dev", name);
        ip("link", "set", name, "up");
    }

    private void link(String id, String kind, String bridge, String address) throws IOException, InterruptedException {
        String outside = veth(id, kind);
        String inside = outside + "p";
        ip("link", "add", outside, "type", "veth", "peer", "name", inside);
        ip("link", "set", inside, "netns", namespace(id));
        ip("link", "set", outside, "master", bridge, "up");
        ip("netns", "exec", namespace(id), "ip", "addr", "add", address + "/24", "dev", inside);
        ip("netns", "exec", namespace(id), "ip", "link", "set", inside, "up");
    }

    private String namespace(String id) {
        return "jns" + tag + "-" + index.get(id);
    }

    /** The end of a node's link in the test's namespace; the one inside has a "p" after it (15 characters at most). */
    private String veth(String id, String kind) {
        return "jv" + kind + tag + index.get(id);
    }

    private String raftBridge() {
        return "jbr" + tag;
    }

    private String clientBridge() {
        return "jbc" + tag;
    }

    private String raftNet() {
        return "10." + net + "." + subnet + ".";
    }

    private String clientNet() {
        return "10." + net + "." + (subnet + 1) + ".";
    }

    private static void ip(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("ip");
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out.trim());
        }
    }

    /** Deletes the namespaces (their links go with them) and the bridges; after the nodes' processes stopped. */
    @Override
    public void close() throws IOException, InterruptedException {
        IOException first = null;
        for (int i = made.size() - 1; i >= 0; i--) {
            String[] what = made.get(i).split(" ");
            try {
                if (what[0].equals("netns")) {
                    ip("netns", "del", what[1]);
                } else {
                    ip("link", "del", what[1]);
                }
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        made.clear();
        if (first != null) {
            throw first;
        }
    }
}
