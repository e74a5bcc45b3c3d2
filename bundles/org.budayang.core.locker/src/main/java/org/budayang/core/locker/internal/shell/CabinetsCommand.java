package org.budayang.core.locker.internal.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.budayang.api.hall.Hall;
import org.budayang.api.hall.HallService;
import org.budayang.api.locker.AuditEntry;
import org.budayang.api.locker.Cabinet;
import org.budayang.api.locker.Compartment;
import org.budayang.api.locker.LockerService;
import org.budayang.api.locker.Overview;
import org.budayang.api.locker.Size;

@Command(scope = "budayang", name = "cabinets", description = "Lists smart file cabinets with their occupancy; "
        + "with a cabinet id, its compartments and latest audit entries")
@Service
public class CabinetsCommand implements Action {
    @Reference
    LockerService lockers;

    @Reference
    HallService halls;

    @Option(name = "--hall", description = "Only the cabinets of this hall")
    String hall;

    @Option(name = "--audit", description = "How many audit entries to show for one cabinet")
    int audit = 10;

    @Argument(index = 0, name = "cabinet", description = "A cabinet id: show its compartments", required = false)
    String cabinet;

    @Override
    public Object execute() {
        if (cabinet != null) {
            one();
            return null;
        }
        List<Cabinet> all = new ArrayList<>();
        for (Hall h : halls.halls()) {
            if (hall == null || hall.equals(h.id())) {
                all.addAll(lockers.cabinets(h.id()));
            }
        }
        ShellTable t = new ShellTable();
        for (String c : List.of("Cabinet", "Hall", "Name", "Terminal", "Lock bus", "Free S/M/L", "Occupied", "Out of service",
                "Doors open", "Codes")) {
            t.column(c);
        }
        for (Cabinet c : all) {
            Overview o = lockers.overview(c.id(), 0);
            StringBuilder free = new StringBuilder();
            int occupied = 0;
            int out = 0;
            for (Size s : Size.values()) {
                Overview.Occupancy k = o.occupancy().get(s);
                free.append(free.length() == 0 ? "" : "/").append(k == null ? "-" : k.free() + "/" + k.total());
                occupied += k == null ? 0 : k.occupied() + k.reserved();
                out += k == null ? 0 : k.outOfService();
            }
            t.addRow().addContent(c.id(), c.hall(), c.name(), c.terminal(), c.lockDevice() + (c.online() ? "" : " (offline)"),
                    free.toString(), occupied, out, o.doorsOpen(), codes(o.codeEntry()) + (o.codeEntryLockedUntil() == null
                            ? "" : ", next code from " + o.codeEntryLockedUntil()));
        }
        t.print(System.out);
        return null;
    }

    private void one() {
        Overview o = lockers.overview(cabinet, audit);
        Cabinet c = o.cabinet();
        System.out.println(c.id() + "  " + c.name() + "  hall " + c.hall() + ", terminal " + c.terminal() + ", lock bus "
                + c.lockDevice() + (c.online() ? " (online)" : " (offline)")
                + (o.codeEntryLockedUntil() == null ? "" : ", code entry waits: next code from " + o.codeEntryLockedUntil()));
        Overview.CodeEntry codes = o.codeEntry();
        System.out.println("Codes: " + codes(codes) + "; guessing codes at the keypad with every compartment full opens one "
                + "in " + String.format(Locale.ROOT, "%.1f", codes.yearsToGuess()) + " years on average; codes shorter "
                + "than " + codes.minimumDigits() + " digits are refused");
        ShellTable t = new ShellTable();
        for (String col : List.of("No.", "Lock", "Size", "State", "Door", "Case", "Direction", "Phone", "Note")) {
            t.column(col);
        }
        for (Compartment x : c.compartments()) {
            t.addRow().addContent(x.number(), x.board() + "/" + x.lock(), x.size(), lower(x.state()),
                    x.door() == null ? "" : lower(x.door()) + (x.doorOpenedAt() == null ? " (opening)" : " (open)"),
                    x.parcel() == null ? "" : x.parcel().caseNumber(), x.parcel() == null ? "" : x.parcel().direction(),
                    x.parcel() == null || x.parcel().maskedPhone() == null ? "" : x.parcel().maskedPhone(),
                    x.note() == null ? "" : x.note());
        }
        t.print(System.out);
        ShellTable a = new ShellTable();
        for (String col : List.of("Time", "No.", "Event", "Actor", "Detail")) {
            a.column(col);
        }
        for (AuditEntry e : o.recent()) {
            a.addRow().addContent(e.at(), e.compartment() == null ? "" : e.compartment(), lower(e.event()), e.actor(),
                    e.detail() == null ? "" : e.detail());
        }
        a.print(System.out);
    }

    /** "8 digits", or "7 digits (code.length 6 raised: too short here)". */
    private static String codes(Overview.CodeEntry e) {
        return e.digits() + " digits" + (e.configuredDigits() < e.digits() ? " (code.length " + e.configuredDigits()
                + " raised: too short here)" : "");
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
