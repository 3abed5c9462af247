import type { ReactNode } from "react";
import { cn } from "../../lib/cn.ts";

export interface TableColumn {
  label: ReactNode;
  align?: "right";
  /** Shown from this breakpoint up; narrower screens leave the column out. */
  from?: "sm" | "md" | "lg";
}

// Literal class names, so Tailwind finds them.
const shownFrom = { sm: "hidden sm:table-cell", md: "hidden md:table-cell", lg: "hidden lg:table-cell" };

/** Cards' tables share one header: edge padding that lines up with the card, columns that drop on phones. */
export function TableHead({ columns }: { columns: TableColumn[] }) {
  return (
    <thead className="text-xs text-fg-muted">
      <tr className="border-b border-line">
        {columns.map((column, index) => (
          <th
            // A table's headers never move: the position is the identity.
            key={index}
            scope="col"
            className={cn(
              "py-2.5 font-medium whitespace-nowrap",
              index === 0 ? "pr-3 pl-4 sm:pl-5" : index === columns.length - 1 ? "pr-4 pl-3 sm:pr-5" : "px-3",
              column.align === "right" && "text-right",
              column.from && shownFrom[column.from],
            )}
          >
            {column.label}
          </th>
        ))}
      </tr>
    </thead>
  );
}

/** The last column of a table of rows with buttons. */
export const ACTIONS_COLUMN: TableColumn = {
  label: <span className="sr-only">Actions</span>,
  align: "right",
};
