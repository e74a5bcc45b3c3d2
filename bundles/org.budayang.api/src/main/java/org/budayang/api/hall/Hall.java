package org.budayang.api.hall;

import org.budayang.api.catalogue.LocalizedText;

/** A place with terminals and lockers. 大厅 / 自助区 */
public record Hall(String id, LocalizedText name) {
}
