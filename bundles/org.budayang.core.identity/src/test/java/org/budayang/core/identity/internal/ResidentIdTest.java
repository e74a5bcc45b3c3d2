package org.budayang.core.identity.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import org.budayang.api.identity.ResidentId;
import org.junit.Test;

public class ResidentIdTest {
    @Test
    public void acceptsValidNumbers() {
        // The worked example of GB 11643-1999, and numbers whose check characters were computed
        // independently (weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, sum mod 11 -> 1 0 X 9 8 7 6 5 4 3 2).
        for (String n : new String[] { "11010519491231002X", "11010519491231002x", "440305198808081234",
                "310115197001010011", "510107199502155629", "420602200106303318" }) {
            assertNull(n, ResidentId.problem(n));
        }
        assertEquals("11010519491231002X", new ResidentId("11010519491231002x").value());
    }

    @Test
    public void refusesWrongCheckCharacterLengthAndCharacters() {
        assertEquals("the check character of the resident ID number is wrong", ResidentId.problem("110105194912310021"));
        assertEquals("the check character of the resident ID number is wrong", ResidentId.problem("440305198808081235"));
        // One digit typed wrong changes the check character: the transposition 88 -> 80 is caught.
        assertTrue(ResidentId.problem("440305198008081234") != null);
        assertEquals("a resident ID number has 18 characters", ResidentId.problem("11010519491231002"));
        assertEquals("a resident ID number has 18 characters", ResidentId.problem(null));
        assertEquals("the first 17 characters of a resident ID number are digits", ResidentId.problem("1101051949123100AX"));
        // Month 13 with a correct check character.
        assertEquals("the birth date in the resident ID number is not a date", ResidentId.problem("110105194913310021"));
    }

    @Test
    public void printsMasked() {
        ResidentId id = new ResidentId("440305198808081234");
        assertEquals("440305********1234", id.masked());
        assertEquals("440305********1234", id.toString());
        assertEquals("440305********1234", String.valueOf(new org.budayang.api.identity.Person(id, "张三")).replaceAll(".*id=([^,]*),.*", "$1"));
        assertFalse(String.valueOf(new org.budayang.api.identity.Person(id, "张三")).contains("198808081234"));
    }

    @Test
    public void refusalMessagesNeverContainTheNumber() {
        try {
            new ResidentId("110105194912310021");
        } catch (IllegalArgumentException e) {
            assertFalse(e.getMessage().contains("1949"));
        }
    }
}
