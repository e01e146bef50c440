package org.d4c.transforms.sort;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs a producer on a thread of its own, a few batches ahead of the consumer, so that producing (merging sorted
 * runs and decoding features; reading a split through GDAL) and consuming (Parquet encoding; preparing and sorting
 * features) use two cores. Order is kept; memory is bounded by {@code depth} batches of {@code batch} elements. An
 * exception in the producer is rethrown to the consumer; {@link #close} stops the producer.
 */
public final class ReadAhead<T> implements Iterator<T>, AutoCloseable {
  private static final List<Object> END = new ArrayList<>();

  private final BlockingQueue<Object> queue;
  private final Thread thread;
  private volatile Throwable failure;
  private List<T> current = List.of();
  private int at;
  private boolean ended;

  /** The elements of {@code source}, each mapped by {@code map} on the producer's thread. */
  public static <S, T> ReadAhead<T> over(String name, Iterator<S> source, Function<S, T> map, int batch, int depth) {
    return new ReadAhead<>(name, sink -> {
      while (source.hasNext()) {
        sink.accept(map.apply(source.next()));
      }
    }, batch, depth);
  }

  /**
   * What {@code producer} hands to the sink it is given, in that order. The sink throws (an unchecked exception that
   * unwinds the producer) once {@link #close} was called.
   */
  public ReadAhead(String name, Consumer<Consumer<T>> producer, int batch, int depth) {
    this.queue = new ArrayBlockingQueue<>(depth);
    this.thread = new Thread(() -> {
      try {
        List<List<T>> chunk = new ArrayList<>(1);
        chunk.add(new ArrayList<>(batch));
        producer.accept(element -> {
          chunk.get(0).add(element);
          if (chunk.get(0).size() == batch) {
            put(chunk.get(0));
            chunk.set(0, new ArrayList<>(batch));
          }
        });
        if (!chunk.get(0).isEmpty()) {
          put(chunk.get(0));
        }
        put(END);
      } catch (Stopped e) {
        // closed by the consumer
      } catch (Throwable e) { // handed to the consumer, which rethrows it
        failure = e;
        queue.offer(END);
      }
    }, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Unwinds the producer once the consumer is gone. */
  private static final class Stopped extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Stopped() {
      super(null, null, false, false);
    }
  }

  private void put(Object chunk) {
    try {
      queue.put(chunk);
    } catch (InterruptedException e) {
      throw new Stopped();
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public boolean hasNext() {
    while (!ended && at == current.size()) {
      Object next;
      try {
        next = queue.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while reading ahead", e);
      }
      if (next == END) {
        ended = true;
        if (failure instanceof RuntimeException r) {
          throw r;
        }
        if (failure instanceof Error err) {
          throw err;
        }
        if (failure != null) {
          throw new IllegalStateException(failure);
        }
      } else {
        current = (List<T>) next;
        at = 0;
      }
    }
    return at < current.size();
  }

  @Override
  public T next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return current.get(at++);
  }

  /** Stops the producer and waits (a few seconds at most) until it has unwound, so that what it opened is closed. */
  @Override
  public void close() {
    thread.interrupt();
    queue.clear();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
