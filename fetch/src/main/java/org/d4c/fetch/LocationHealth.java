package org.d4c.fetch;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.d4c.catalog.status.StatusDocument;

/** What is known about a location's health for one item, from the status service's {@code status.json}. */
public interface LocationHealth {
  /** @param state the status service's word (verified, slow, corrupt, ...); {@code why} says why it is held out */
  record Health(String state, boolean routable, Double throughputBps, String why) {}

  Optional<Health> of(String itemId, String locationId);

  LocationHealth NONE = (item, location) -> Optional.empty();

  /** From a parsed status document: its item × location state, routability and throughput, and open incidents. */
  static LocationHealth of(StatusDocument doc) {
    Map<String, String> incidents = new TreeMap<>();
    for (StatusDocument.Incident i : doc.incidents()) incidents.put(i.item() + " " + i.location(), i.id() + ": " + i.summary());
    return (itemId, locationId) -> doc.item(itemId).flatMap(it -> it.locations().stream()
        .filter(l -> l.location().equals(locationId)).findFirst()).map(l -> {
          String incident = incidents.get(itemId + " " + locationId);
          boolean routable = l.routable() && l.state().usable() && incident == null;
          String why = "status " + l.state().json() + (incident != null ? ", incident " + incident : l.detail() == null ? "" : " (" + l.detail() + ")");
          return new Health(l.state().json(), routable, l.throughputBps(), why);
        });
  }
}
