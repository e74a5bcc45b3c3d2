package org.budayang.core.catalogue.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Predicate;

import org.budayang.api.catalogue.Item;
import org.budayang.api.hall.Menu;
import org.budayang.api.hall.Terminal;

/**
 * The menu rule: a terminal offers the items of the modules enabled for its hall whose required
 * capabilities it has, grouped by department (ordered by department code), items in descriptor
 * order. Departments left with no item are not shown.
 */
public final class MenuRule {
    private MenuRule() {
    }

    public static Menu compute(Terminal terminal, List<ModuleDescriptor> modules, Predicate<String> enabledInHall) {
        List<ModuleDescriptor> ordered = new ArrayList<>(modules);
        ordered.sort((a, b) -> a.department().code().compareTo(b.department().code()));
        List<Menu.Section> sections = new ArrayList<>();
        for (ModuleDescriptor m : ordered) {
            if (!enabledInHall.test(m.department().code())) {
                continue;
            }
            List<Item> offered = new ArrayList<>();
            for (Item item : m.items()) {
                if (terminal.capabilities().containsAll(item.requires())) {
                    offered.add(item);
                }
            }
            if (!offered.isEmpty()) {
                sections.add(new Menu.Section(m.department(), offered));
            }
        }
        return new Menu(terminal.id(), terminal.hall(), sections, etag(terminal, sections));
    }

    /** A digest of everything a client renders, so it changes exactly when the menu does. */
    static String etag(Terminal terminal, List<Menu.Section> sections) {
        StringBuilder b = new StringBuilder(terminal.id()).append('\n').append(terminal.hall()).append('\n');
        for (Menu.Section s : sections) {
            b.append(s.department().code()).append('|').append(s.department().name().zh()).append('|')
                    .append(s.department().name().en()).append('\n');
            for (Item i : s.items()) {
                b.append(i.code()).append('|').append(i.name().zh()).append('|').append(i.name().en()).append('|')
                        .append(i.kind()).append('|').append(new TreeSet<>(i.requires())).append('\n');
            }
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(b.toString().getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 22);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
