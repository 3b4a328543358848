package dev.junction.bench;

import dev.junction.config.AclRule;
import dev.junction.config.AclRule.Action;
import dev.junction.config.AclRule.Permission;
import dev.junction.routing.auth.Coverage;
import dev.junction.routing.auth.TopicAcl;
import dev.junction.routing.auth.TopicDecisions;
import dev.junction.routing.topic.TopicPattern;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of MQTT authorization per message and per SUBSCRIBE, with the same 20-rule ACL as
 * {@code scripts/run-mqtt-acl.sh} (the benchmark topics match only its last rule, so an uncached check tries all 20):
 * {@code readUncached} is one pass over the rules for a concrete topic, {@code readCached} the per-delivery check as
 * a connection makes it (a cache hit, the usual case: devices see the same topics again and again), and
 * {@code coverageWildcard} / {@code coverageLiteral} the SUBSCRIBE-time analysis of a filter.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class AclCheckBenchmark {
    private TopicAcl acl;
    private TopicDecisions cache;
    private String[] topics;
    private int next;
    private final TopicPattern wildcard = TopicPattern.mqtt("#");
    private final TopicPattern literal = TopicPattern.mqtt("bench/pair/1");

    /** The 20 rules of run-mqtt-acl.sh's user acl20. */
    static List<AclRule> twentyRules() {
        List<AclRule> r = new ArrayList<>();
        r.add(new AclRule(Permission.DENY, Action.ALL, "secret/#"));
        r.add(new AclRule(Permission.DENY, Action.ALL, "+/admin/#"));
        r.add(new AclRule(Permission.DENY, Action.PUBLISH, "config/#"));
        r.add(new AclRule(Permission.ALLOW, Action.ALL, "users/%u/#"));
        r.add(new AclRule(Permission.ALLOW, Action.ALL, "clients/%c/#"));
        r.add(new AclRule(Permission.ALLOW, Action.SUBSCRIBE, "config/#"));
        r.add(new AclRule(Permission.DENY, Action.ALL, "tenants/+/private/#"));
        for (int k = 0; k < 10; k++) {
            r.add(new AclRule(Permission.ALLOW, Action.ALL, "sensors/s" + k + "/#"));
        }
        r.add(new AclRule(Permission.ALLOW, Action.SUBSCRIBE, "alerts/+"));
        r.add(new AclRule(Permission.DENY, Action.ALL, "$SYS/#"));
        r.add(new AclRule(Permission.ALLOW, Action.ALL, "bench/#"));
        return r;
    }

    @Setup
    public void setUp() {
        acl = TopicAcl.of(twentyRules(), "acl20", "bench-sub-0");
        cache = new TopicDecisions(acl::mayRead, 1024, 128);
        topics = new String[10];
        for (int i = 0; i < topics.length; i++) {
            topics[i] = "bench/pair/" + i;
        }
    }

    private String topic() {
        next = next == topics.length - 1 ? 0 : next + 1;
        return topics[next];
    }

    @Benchmark
    public boolean readUncached() {
        return acl.mayRead(topic());
    }

    @Benchmark
    public boolean readCached() {
        return cache.test(topic());
    }

    @Benchmark
    public Coverage coverageWildcard() {
        return acl.subscribe(wildcard);
    }

    @Benchmark
    public Coverage coverageLiteral() {
        return acl.subscribe(literal);
    }
}
