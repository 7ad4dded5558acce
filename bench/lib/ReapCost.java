import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a child process's exit costs a JVM that holds many open descriptors, as a server with
 * thousands of connections does: {@code java bench/lib/ReapCost.java [FDS] [CHILDREN] [ROUNDS]}
 * (default 3000, 300, 4). Alternates rounds with FDS extra descriptors open and without them; each
 * round starts CHILDREN {@code sleep 1} at once, then measures the JVM's CPU (utime+stime from
 * /proc/self/stat) while it waits for their exits.
 *
 * <p>Why it costs more: the JDK's child start (childproc.c, JDK 17) closes every descriptor it
 * inherited by listing {@code /proc/self/fd}, which caches a {@code /proc} entry for each, and the
 * kernel drops those entries when the parent reaps the child ({@code wait4}, in the JDK's
 * "process reaper" thread). Node.js's libuv starts children with close-on-exec descriptors and
 * lists nothing.
 */
public class ReapCost {
    public static void main(String[] args) throws Exception {
        int fds = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
        int children = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        List<Long> without = new ArrayList<>();
        List<Long> with = new ArrayList<>();
        for (int round = 0; round < 2 * rounds; round++) {
            boolean open = round % 2 == 1;
            List<FileInputStream> extra = new ArrayList<>();
            for (int i = 0; open && i < fds; i++) {
                extra.add(new FileInputStream("/dev/null"));
            }
            List<Process> started = new ArrayList<>();
            for (int i = 0; i < children; i++) {
                started.add(new ProcessBuilder("sleep", "1").start());
            }
            long cpu0 = cpuMillis();
            for (Process p : started) {
                p.waitFor();
            }
            long cost = cpuMillis() - cpu0;
            (open ? with : without).add(cost);
            System.out.printf("round %d, %s extra descriptors: %d ms of CPU for %d exits%n",
                    round + 1, open ? fds : 0, cost, children);
            for (FileInputStream f : extra) {
                f.close();
            }
        }
        System.out.printf("median per exit: %.2f ms without, %.2f ms with %d extra descriptors%n",
                median(without) / children, median(with) / children, fds);
    }

    private static long cpuMillis() throws IOException {
        String[] f = Files.readString(Path.of("/proc/self/stat")).split("\\) ")[1].split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10; // clock ticks of 10 ms (USER_HZ 100)
    }

    private static double median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
    }
}
