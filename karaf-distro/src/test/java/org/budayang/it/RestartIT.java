package org.budayang.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.File;
import java.util.List;

import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The admin's switches and registrations survive a restart: each test method gets a new
 * container (PerMethod), both pointed at the same database through ConfigAdmin
 * (etc/org.budayang.store.cfg), the way a hall moves its data out of the Karaf folder.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class RestartIT extends ItSupport {
    /** Evaluated once in the JVM that starts the containers, so both boots share it. */
    static final String DB = new File("target/restart-db-" + System.nanoTime()).getAbsolutePath();

    /** What a kill during the very first boot leaves: the folder Derby made, without a database in it. */
    static final File CUT_SHORT = new File(DB, "seg0/c10.dat");
    static boolean seeded;

    @Configuration
    public Option[] config() throws java.io.IOException {
        if (!seeded && !new File(DB).exists()) {
            seeded = true;
            CUT_SHORT.getParentFile().mkdirs();
            java.nio.file.Files.writeString(CUT_SHORT.toPath(), "half written");
        }
        List<Option> o = distribution(3);
        o.add(editConfigurationFilePut("etc/org.budayang.store.cfg", "url", "jdbc:derby:" + DB + ";create=true"));
        // The test methods run in the container, where DB would be evaluated anew.
        o.add(editConfigurationFilePut("etc/system.properties", "it.restart.db", DB));
        return options(o);
    }

    @Override
    int offset() {
        return 3;
    }

    @Test
    public void step1DisableAModuleAndRegisterATerminal() throws java.io.IOException {
        // The first boot found the unfinished folder: it serves anyway and kept what was there.
        awaitApi();
        File db = new File(System.getProperty("it.restart.db"));
        File[] aside = db.getParentFile().listFiles((d, n) -> n.startsWith(db.getName() + ".unfinished-"));
        assertEquals("the cut-short folder is set aside once", 1, aside.length);
        assertEquals("half written", java.nio.file.Files.readString(new File(aside[0], "seg0/c10.dat").toPath()));
        assertEquals(DEMO, menuDepartments("demo-02"));
        assertEquals(200, admin("PUT", "/api/v1/halls/demo/modules/housingfund", "{\"enabled\": false}").status());
        assertEquals(201, admin("POST", "/api/v1/halls/demo/terminals",
                "{\"id\": \"survivor\", \"name\": \"重启后仍在\", \"capabilities\": [\"printer.invoice\"]}").status());
        assertEquals(demoWithout("housingfund"), menuDepartments("demo-02"));
    }

    @Test
    public void step2AfterRestartTheSwitchAndTheTerminalAreStillThere() {
        awaitApi();
        assertEquals("housingfund stays disabled", demoWithout("housingfund"), menuDepartments("demo-02"));
        for (JsonNode m : get("/api/v1/halls/demo/modules").json()) {
            if (m.path("department").asText().equals("housingfund")) {
                assertFalse(m.path("enabled").asBoolean());
                assertEquals("disabled, not uninstalled", "active", m.path("state").asText());
            }
        }
        assertEquals("重启后仍在", get("/api/v1/terminals/survivor").json().path("name").asText());
        // The demo seed did not run twice: still four demo terminals plus the survivor.
        assertEquals(5, get("/api/v1/halls/demo/terminals").json().size());
    }
}
