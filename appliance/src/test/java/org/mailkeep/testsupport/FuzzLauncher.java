package org.mailkeep.testsupport;

import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.util.Arrays;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

/**
 * Runs one Jazzer {@code @FuzzTest} in fuzzing mode for a given time: {@code ./mailkeep fuzz} starts one JVM per
 * target with this class (Jazzer fuzzes one test per process, and a plain JVM starts far faster than Maven with
 * Surefire). Usage: {@code FuzzLauncher CLASS METHOD SECONDS}, with {@code JAZZER_FUZZ=1} in the environment. libFuzzer
 * flags go in as Jazzer's JUnit configuration parameters {@code jazzer.internal.arg.N} (N=0 is argv[0]); a later
 * {@code -max_total_time} overrides the one taken from {@code @FuzzTest(maxDuration)}. Exits 1 when the test failed
 * (a finding: Jazzer saved the input under src/test/resources/PACKAGE/CLASSInputs/METHOD/).
 */
public final class FuzzLauncher {

    private FuzzLauncher() {
    }

    public static void main(String[] args) throws ClassNotFoundException {
        Class<?> testClass = Class.forName(args[0]);
        Method method = Arrays.stream(testClass.getDeclaredMethods()).filter(m -> m.getName().equals(args[1])).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no fuzz test " + args[1] + " in " + args[0]));
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectMethod(testClass, method))
                .configurationParameter("jazzer.instrument", "org.mailkeep.**")
                .configurationParameter("jazzer.internal.arg.0", "fuzz")
                .configurationParameter("jazzer.internal.arg.1", "-max_total_time=" + Integer.parseInt(args[2]))
                .configurationParameter("jazzer.internal.arg.2", "-print_final_stats=1")
                // a unit slowed down by a busy machine (class loading, JIT) is no finding: no "slow-unit" files
                .configurationParameter("jazzer.internal.arg.3", "-report_slow_units=3600")
                .build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(request, listener);
        TestExecutionSummary summary = listener.getSummary();
        PrintWriter out = new PrintWriter(System.out, true);
        summary.printFailuresTo(out, 25);
        System.exit(summary.getTotalFailureCount() == 0 && summary.getTestsSucceededCount() > 0 ? 0 : 1);
    }
}
