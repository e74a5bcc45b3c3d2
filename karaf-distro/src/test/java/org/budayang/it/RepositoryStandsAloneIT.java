package org.budayang.it;

import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.Test;

/**
 * The repository is all a user of it has: no file may point at documents outside it (the
 * project's planning notes beside it, which users do not have). No container needed.
 */
public class RepositoryStandsAloneIT {
    private static final Pattern OUTSIDE = Pattern.compile("\\.\\./shared\\b");

    @Test
    public void noFilePointsOutsideTheRepository() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        assertTrue("run from karaf-distro inside the repository: " + root, Files.isRegularFile(root.resolve("pom.xml")));
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(Files::isRegularFile)
                    .filter(p -> {
                        Path rel = root.relativize(p);
                        for (Path part : rel) {
                            String n = part.toString();
                            if (n.equals(".git") || n.equals("target") || n.equals("node_modules")) {
                                return false;
                            }
                        }
                        return p.toFile().length() < 2_000_000;
                    })
                    .forEach(p -> {
                        try {
                            String text = Files.readString(p, StandardCharsets.UTF_8);
                            if (OUTSIDE.matcher(text).find()) {
                                offenders.add(root.relativize(p).toString());
                            }
                        } catch (MalformedInputException binary) {
                            // fonts, images: not text
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
        }
        assertTrue("files that point outside the repository: " + offenders, offenders.isEmpty());
    }
}
